import { delay } from 'msw';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { chatChunks, readyChunks } from './chat-stream.ts';
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
import {
  type ChatRequestMessage,
  checkChatMessages,
  contentText,
  errorResponse,
  readBody,
  readChatMessages,
} from './rules.ts';
import { nextStep, progressFromIds, type Step } from './script.ts';

/** `POST /chat/completions`, plain and streamed. The conversation's progress is read from `messages`. */
export function chatRoute(context: MockContext): Route {
  return async (request) => {
    const { counters } = context;
    counters.requests++;
    counters.chatRequests++;
    const read = await readBody(request);
    if (!read.ok) return refuse(context, read.violation);
    const { body } = read;
    const stream = body.stream === true;
    if (stream) counters.streamRequests++;
    const messages = readChatMessages(body);
    if (!Array.isArray(messages)) return refuse(context, messages);
    const violation = checkChatMessages(messages);
    if (violation) return refuse(context, violation);
    const scenario = context.scenarioFor(body.model);
    if (!scenario) return errorResponse(NO_SCENARIO);

    const callIds = new Set(
      messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [])),
    );
    const results = new Map<string, string>();
    for (const m of messages)
      if (m.role === 'tool' && m.tool_call_id) results.set(m.tool_call_id, contentText(m.content));
    // a planner's reply is an assistant message with text and no calls
    const textReplies = messages.filter(
      (m) => m.role === 'assistant' && !m.tool_calls?.length && contentText(m.content) !== '',
    ).length;
    const step = nextStep(scenario, progressFromIds(scenario, callIds, textReplies), {
      parallelToolCalls: body.parallel_tool_calls !== false,
      results,
    });

    const latencyMs = latencyOf(context, step);
    const exchange = logStep(context, 'chat', stream, latencyMs, step, answeredResults(messages));
    if (latencyMs > 0) await delay(latencyMs);
    const meta = {
      id: context.nextId('chatcmpl-'),
      created: Math.floor(Date.now() / 1000),
      model: modelName(body.model),
    };
    const usage = usageOf(JSON.stringify(messages), step);
    if (!stream) return respond(context, exchange, completion(step, meta, usage));
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const chunks = chatChunks(step, meta, {
      interleave: context.settings.interleave,
      argumentFragmentChars: context.settings.argumentFragmentChars,
      usage: includeUsage ? usage : undefined,
    });
    const ready =
      step.kind === 'calls'
        ? readyChunks(
            chunks,
            step.calls.map((c) => c.id),
          )
        : planReadyEvents(chunks, step.text, step.plan ?? []);
    return respond(context, exchange, undefined, { events: chunks, named: false, ready });
  };
}

/** The tool results after the last assistant turn with calls: what this request answers, in the order sent. */
function answeredResults(messages: readonly ChatRequestMessage[]): { id: string; content: string }[] {
  let last = -1;
  for (const [i, m] of messages.entries()) if (m.role === 'assistant' && m.tool_calls?.length) last = i;
  return messages
    .slice(last + 1)
    .flatMap((m) =>
      m.role === 'tool' && m.tool_call_id ? [{ id: m.tool_call_id, content: contentText(m.content) }] : [],
    );
}

function completion(
  step: Step,
  meta: { id: string; created: number; model: string },
  usage: CompletionUsage,
): ChatCompletion {
  const message: ChatCompletion.Choice['message'] = { role: 'assistant', content: step.text, refusal: null };
  if (step.kind === 'calls') {
    message.tool_calls = step.calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: step.kind === 'calls' ? 'tool_calls' : 'stop', logprobs: null }],
    usage,
  };
}

function usageOf(prompt: string, step: Step): CompletionUsage {
  const output =
    (step.text ?? '') + (step.kind === 'calls' ? step.calls.map((c) => c.name + c.arguments).join('') : '');
  const prompt_tokens = tokens(prompt);
  const completion_tokens = tokens(output);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}
