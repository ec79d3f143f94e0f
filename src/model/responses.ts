import { delay } from 'msw';
import type { Response as ApiResponse, ResponseOutputItem, Tool } from 'openai/resources/responses/responses';
import {
  latencyOf,
  logStep,
  type MockContext,
  modelName,
  NO_SCENARIO,
  planReadyEvents,
  type Route,
  refuse,
  respond,
  tokens,
} from './context.ts';
import { functionCallItemId } from './ids.ts';
import { responsesEvents, responsesReady } from './responses-stream.ts';
import {
  checkFunctionOutputs,
  contentText,
  errorResponse,
  type FunctionCallOutput,
  readBody,
  unknownPreviousResponse,
} from './rules.ts';
import type { Scenario } from './scenario.ts';
import { advance, nextStep, type Progress, START, type Step } from './script.ts';

/** What the mock keeps of a response so a later request can continue from it by `previous_response_id`. */
export interface StoredResponse {
  scenario: Scenario;
  /** Progress after this response. */
  progress: Progress;
  /** Call ids of this response's function calls: the next request must answer each. */
  callIds: string[];
  /** Function call outputs of the whole chain so far, by call id. */
  results: Map<string, string>;
}

/** Stored responses beyond this are dropped oldest first, so long benchmark runs do not grow without bound. */
export const MAX_STORED_RESPONSES = 10_000;

interface InputItem {
  type?: string;
  call_id?: string;
  output?: unknown;
}

/** `POST /responses`. The conversation continues from the stored response named by `previous_response_id`. */
export function responsesRoute(context: MockContext, store: Map<string, StoredResponse>): Route {
  return async (request) => {
    context.counters.requests++;
    context.counters.responsesRequests++;
    const read = await readBody(request);
    if (!read.ok) return refuse(context, read.violation);
    const { body } = read;
    const stream = body.stream === true;
    if (stream) context.counters.streamRequests++;

    let previous: StoredResponse | undefined;
    const previousId = body.previous_response_id;
    if (typeof previousId === 'string') {
      previous = store.get(previousId);
      if (!previous) return refuse(context, unknownPreviousResponse(previousId));
    }
    const items: InputItem[] = Array.isArray(body.input) ? (body.input as InputItem[]) : [];
    // Clients that keep state themselves send earlier function calls back as input items.
    const declared = [...(previous?.callIds ?? [])];
    const outputs: FunctionCallOutput[] = [];
    for (const item of items) {
      if (item?.type === 'function_call' && typeof item.call_id === 'string') declared.push(item.call_id);
      if (item?.type === 'function_call_output' && typeof item.call_id === 'string') {
        outputs.push({ call_id: item.call_id, output: contentText(item.output) });
      }
    }
    const violation = checkFunctionOutputs(declared, outputs);
    if (violation) return refuse(context, violation);
    const scenario = previous?.scenario ?? context.scenarioFor(body.model);
    if (!scenario) return errorResponse(NO_SCENARIO);

    let progress = previous?.progress ?? START;
    for (const count of functionCallRuns(items)) progress = advance(scenario, progress, count);
    const results = new Map(previous?.results);
    for (const output of outputs) results.set(output.call_id, output.output);
    const step = nextStep(scenario, progress, { parallelToolCalls: body.parallel_tool_calls !== false, results });

    const latencyMs = latencyOf(context, step);
    const answered = outputs.map((o) => ({ id: o.call_id, content: o.output }));
    const exchange = logStep(context, 'responses', stream, latencyMs, step, answered);
    if (latencyMs > 0) await delay(latencyMs);
    const id = context.nextId('resp_');
    const callIds = step.kind === 'calls' ? step.calls.map((call) => call.id) : [];
    store.set(id, { scenario, progress: advance(scenario, progress, callIds.length), callIds, results });
    if (store.size > MAX_STORED_RESPONSES) store.delete(store.keys().next().value ?? '');
    const answer = response(id, step, body, context);
    if (!stream) return respond(context, exchange, answer);
    const events = responsesEvents(answer, context.settings.argumentFragmentChars);
    const ready =
      step.kind === 'answer' && step.plan ? planReadyEvents(events, step.text, step.plan) : responsesReady(events);
    return respond(context, exchange, undefined, { events, named: true, ready });
  };
}

/** Lengths of the runs of consecutive `function_call` items: each run is one earlier model response. */
function functionCallRuns(items: readonly InputItem[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const item of [...items, {}]) {
    if (item?.type === 'function_call') run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs;
}

function response(id: string, step: Step, body: Record<string, unknown>, context: MockContext): ApiResponse {
  const output: ResponseOutputItem[] = [];
  if (step.text !== null) {
    output.push({
      type: 'message',
      id: context.nextId('msg_'),
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: step.text, annotations: [] }],
    });
  }
  if (step.kind === 'calls') {
    for (const call of step.calls) {
      output.push({
        type: 'function_call',
        id: functionCallItemId(call.id),
        call_id: call.id,
        name: call.name,
        arguments: call.arguments,
        status: 'completed',
      });
    }
  }
  const input_tokens = tokens(JSON.stringify(body.input ?? ''));
  const output_tokens = tokens(JSON.stringify(output));
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: modelName(body.model),
    output,
    output_text: step.text ?? '',
    access_programs: null,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    metadata: {},
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    temperature: 1,
    top_p: 1,
    tool_choice: 'auto',
    tools: Array.isArray(body.tools) ? (body.tools as Tool[]) : [],
    usage: {
      input_tokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input_tokens + output_tokens,
    },
  };
}
