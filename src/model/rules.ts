import { HttpResponse } from 'msw';

/** A request the real API would refuse, with the message and `param` it answers. */
export interface Violation {
  message: string;
  param: string | null;
  /** @default 400 */
  status?: number;
}

/** The error body the API sends: `{ error: { message, type, param, code } }`. */
export function errorResponse(violation: Violation): Response {
  const error = { message: violation.message, type: 'invalid_request_error', param: violation.param, code: null };
  return HttpResponse.json({ error }, { status: violation.status ?? 400 });
}

/** The parts of a Chat Completions request message the rules read. */
export interface ChatRequestMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; type?: string; function?: { name?: string; arguments?: string } }>;
  tool_call_id?: string;
}

export function missingToolMessages(ids: readonly string[]): Violation {
  return {
    message:
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
      `The following tool_call_ids did not have response messages: ${ids.join(', ')}`,
    param: 'messages',
  };
}

export const TOOL_WITHOUT_CALL: Violation = {
  message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
  param: 'messages',
};

/** Reads `messages` from a request body, or says what is wrong with it. */
export function readChatMessages(body: unknown): ChatRequestMessage[] | Violation {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { message: "Invalid 'messages': expected a non-empty array.", param: 'messages' };
  }
  for (const [i, message] of messages.entries()) {
    const m = message as Partial<ChatRequestMessage> | null;
    if (typeof m?.role !== 'string')
      return { message: `Missing required parameter: 'messages[${i}].role'.`, param: `messages[${i}].role` };
    if (m.tool_calls !== undefined && !Array.isArray(m.tool_calls)) {
      return {
        message: `Invalid type for 'messages[${i}].tool_calls': expected an array.`,
        param: `messages[${i}].tool_calls`,
      };
    }
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') {
      return {
        message: `Missing required parameter: 'messages[${i}].tool_call_id'.`,
        param: `messages[${i}].tool_call_id`,
      };
    }
  }
  return messages as ChatRequestMessage[];
}

/**
 * The Chat Completions rule on tool calls: every assistant message with `tool_calls` is followed directly by one
 * tool message per call id, and every tool message answers a call of the assistant message before its block.
 */
export function checkChatMessages(messages: readonly ChatRequestMessage[]): Violation | undefined {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message?.role === 'tool') return TOOL_WITHOUT_CALL;
    if (message?.role !== 'assistant' || !message.tool_calls?.length) continue;
    const ids = message.tool_calls.map((call) => call.id);
    const answered = new Set<string>();
    let next = i + 1;
    for (; messages[next]?.role === 'tool'; next++) answered.add(messages[next]?.tool_call_id ?? '');
    const missing = ids.filter((id) => !answered.has(id));
    if (missing.length > 0) return missingToolMessages(missing);
    if ([...answered].some((id) => !ids.includes(id))) return TOOL_WITHOUT_CALL;
    i = next - 1;
  }
  return undefined;
}

/** A Responses `function_call_output` input item. */
export interface FunctionCallOutput {
  call_id: string;
  output: string;
}

/**
 * The Responses rules on tool calls: each function call the conversation declared (previous response or input
 * items) needs an output in this request, and each output must answer a declared call.
 */
export function checkFunctionOutputs(
  declared: readonly string[],
  outputs: readonly FunctionCallOutput[],
): Violation | undefined {
  const answered = new Set(outputs.map((output) => output.call_id));
  const missing = declared.find((id) => !answered.has(id));
  if (missing !== undefined) return { message: `No tool output found for function call ${missing}.`, param: 'input' };
  const stray = outputs.find((output) => !declared.includes(output.call_id));
  if (stray !== undefined) {
    return { message: `No tool call found for function call output with call_id ${stray.call_id}.`, param: 'input' };
  }
  return undefined;
}

export function unknownPreviousResponse(id: string): Violation {
  return { message: `Previous response with id '${id}' not found.`, param: 'previous_response_id' };
}

/** The text of a message's content: a string, or the text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

/** The JSON body of a request, or the API's answer to one that is not JSON. */
export async function readBody(
  request: Request,
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; violation: Violation }> {
  try {
    const body: unknown = await request.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return { ok: true, body: body as Record<string, unknown> };
  } catch {
    // answered below
  }
  return { ok: false, violation: { message: 'We could not parse the JSON body of your request.', param: null } };
}
