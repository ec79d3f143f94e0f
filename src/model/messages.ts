import { delay, HttpResponse } from 'msw';
import { split } from './chat-stream.ts';
import {
  latencyOf,
  logStep,
  type MockContext,
  modelName,
  planReadyEvents,
  type ReadyEvents,
  type Route,
  respond,
  tokens,
} from './context.ts';
import { contentText, readBody, type Violation } from './rules.ts';
import { nextStep, progressFromIds, type Step } from './script.ts';

/** Where the Anthropic SDK sends requests by default; it appends `/v1/messages`. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** The parts of a Messages API content block the mock reads. */
interface Block {
  type?: string;
  id?: string;
  name?: string;
  input?: unknown;
  text?: string;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

interface RequestMessage {
  role?: string;
  content?: string | Block[];
}

const blocks = (message: RequestMessage | undefined): Block[] =>
  Array.isArray(message?.content) ? message.content.filter((b): b is Block => typeof b === 'object' && b !== null) : [];
const toolUseIds = (message: RequestMessage | undefined): string[] =>
  message?.role === 'assistant' ? blocks(message).flatMap((b) => (b.type === 'tool_use' ? [b.id ?? ''] : [])) : [];

/** The error body the Messages API sends: `{ type: "error", error: { type, message } }`. */
function anthropicError(context: MockContext, violation: Violation): Response {
  context.counters.violations++;
  context.counters.lastViolation = violation.message;
  return HttpResponse.json(
    { type: 'error', error: { type: 'invalid_request_error', message: violation.message } },
    { status: violation.status ?? 400 },
  );
}

/**
 * The Messages API rules on tool use, in its wording: every `tool_use` of an assistant message has a `tool_result`
 * in the next (user) message, and every `tool_result` answers a `tool_use` of the message before it.
 */
export function checkToolResults(messages: readonly RequestMessage[]): Violation | undefined {
  for (const [i, message] of messages.entries()) {
    const asked = toolUseIds(message);
    if (asked.length === 0) continue;
    const next = messages[i + 1];
    const answered = next?.role === 'user' ? blocks(next).filter((b) => b.type === 'tool_result') : [];
    const missing = asked.filter((id) => !answered.some((b) => b.tool_use_id === id));
    if (missing.length > 0) {
      return {
        message: `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        param: null,
      };
    }
  }
  for (const [i, message] of messages.entries()) {
    if (message.role !== 'user') continue;
    const asked = toolUseIds(messages[i - 1]);
    for (const [j, block] of blocks(message).entries()) {
      if (block.type === 'tool_result' && !asked.includes(block.tool_use_id ?? '')) {
        return {
          message: `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          param: null,
        };
      }
    }
  }
  return undefined;
}

/** `POST /v1/messages`, plain and streamed. The conversation's progress is read from the `tool_use` ids sent back. */
export function messagesRoute(context: MockContext): Route {
  return async (request) => {
    const { counters } = context;
    counters.requests++;
    counters.messagesRequests++;
    const read = await readBody(request);
    if (!read.ok) return anthropicError(context, read.violation);
    const { body } = read;
    const stream = body.stream === true;
    if (stream) counters.streamRequests++;
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return anthropicError(context, { message: 'messages: Field required', param: null });
    }
    if (typeof body.max_tokens !== 'number') {
      return anthropicError(context, { message: 'max_tokens: Field required', param: null });
    }
    const messages = body.messages as RequestMessage[];
    const violation = checkToolResults(messages);
    if (violation) return anthropicError(context, violation);
    const scenario = context.scenarioFor(body.model);
    if (!scenario) {
      return anthropicError(context, {
        message: 'fanout-bench model mock: no scenario to play; call mock.use(scenario) before the first request.',
        param: null,
      });
    }
    const results = new Map<string, string>();
    for (const block of messages.flatMap(blocks)) {
      if (block.type === 'tool_result') results.set(block.tool_use_id ?? '', contentText(block.content));
    }
    const toolChoice = body.tool_choice as { disable_parallel_tool_use?: unknown } | undefined;
    // a planner's reply is an assistant message with text and no tool use
    const textReplies = messages.filter(
      (m) => m.role === 'assistant' && toolUseIds(m).length === 0 && contentText(m.content) !== '',
    ).length;
    const step = nextStep(scenario, progressFromIds(scenario, new Set(messages.flatMap(toolUseIds)), textReplies), {
      parallelToolCalls: toolChoice?.disable_parallel_tool_use !== true,
      results,
    });
    const latencyMs = latencyOf(context, step);
    const answered = blocks(messages.at(-1)).flatMap((b) =>
      b.type === 'tool_result'
        ? [
            {
              id: b.tool_use_id ?? '',
              content: contentText(b.content),
              ...(b.is_error === true ? { isError: true } : {}),
            },
          ]
        : [],
    );
    const exchange = logStep(context, 'messages', stream, latencyMs, step, answered);
    if (latencyMs > 0) await delay(latencyMs);
    const message = assistantMessage(context.nextId('msg_'), step, modelName(body.model), JSON.stringify(messages));
    if (!stream) return respond(context, exchange, message);
    const events = messageEvents(message, context.settings.argumentFragmentChars, context.settings.interleave);
    const ready =
      step.kind === 'answer' && step.plan ? planReadyEvents(events, step.text, step.plan) : messagesReady(events);
    return respond(context, exchange, undefined, { events, named: true, ready });
  };
}

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

interface AssistantMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'tool_use' | 'end_turn';
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

/** The arguments as the `input` object the API sends (the scenario's JSON text, parsed). */
function inputOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function assistantMessage(id: string, step: Step, model: string, prompt: string): AssistantMessage {
  const content: ContentBlock[] = [];
  if (step.text) content.push({ type: 'text', text: step.text });
  if (step.kind === 'calls') {
    for (const call of step.calls)
      content.push({ type: 'tool_use', id: call.id, name: call.name, input: inputOf(call.arguments) });
  }
  const output = content.map((b) => (b.type === 'text' ? b.text : b.name + JSON.stringify(b.input))).join('');
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: step.kind === 'calls' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: tokens(prompt), output_tokens: tokens(output) },
  };
}

/**
 * The events of a streamed message, as the API sends them: `message_start`; per content block
 * `content_block_start`, its text (`text_delta`) or its input as JSON fragments (`input_json_delta`, cut
 * anywhere), `content_block_stop`; then `message_delta` with the stop reason and `message_stop`. Blocks follow one
 * another, or, with `interleave`, the tool inputs' fragments alternate between blocks.
 */
export function messageEvents(message: AssistantMessage, fragmentChars: number, interleave: boolean): unknown[] {
  const events: unknown[] = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    },
  ];
  const start = (index: number, block: ContentBlock) => {
    events.push({
      type: 'content_block_start',
      index,
      content_block: block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} },
    });
  };
  const fragments = (block: ContentBlock): unknown[] =>
    block.type === 'text'
      ? (block.text.match(/\S+\s*|\s+/g) ?? []).map((text) => ({ type: 'text_delta', text }))
      : split(JSON.stringify(block.input), fragmentChars).map((partial_json) => ({
          type: 'input_json_delta',
          partial_json,
        }));
  const stop = (index: number) => {
    events.push({ type: 'content_block_stop', index });
  };
  const parts = message.content.map(fragments);
  if (interleave) {
    message.content.forEach((block, index) => {
      start(index, block);
    });
    for (let round = 0; round < Math.max(0, ...parts.map((p) => p.length)); round++) {
      parts.forEach((p, index) => {
        if (p[round] !== undefined) events.push({ type: 'content_block_delta', index, delta: p[round] });
      });
    }
    message.content.forEach((_, index) => {
      stop(index);
    });
  } else {
    message.content.forEach((block, index) => {
      start(index, block);
      for (const delta of parts[index] ?? []) events.push({ type: 'content_block_delta', index, delta });
      stop(index);
    });
  }
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Each tool call's `content_block_stop`: the event after which its input is complete (as the SDK's stream reads it). */
export function messagesReady(events: readonly unknown[]): ReadyEvents {
  const ids = new Map<number, string>();
  const ready = new Map<number, string[]>();
  for (const [i, event] of events.entries()) {
    const e = event as { type: string; index?: number; content_block?: { type: string; id?: string } };
    if (e.type === 'content_block_start' && e.content_block?.type === 'tool_use' && e.content_block.id) {
      ids.set(e.index ?? -1, e.content_block.id);
    } else if (e.type === 'content_block_stop' && ids.has(e.index ?? -1)) {
      ready.set(i, [ids.get(e.index ?? -1) as string]);
    }
  }
  return ready;
}
