import type { Response as ApiResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { split } from './chat-stream.ts';
import type { ReadyEvents } from './context.ts';

/**
 * The events of one streamed Responses API answer, as the API sends them: `response.created` and
 * `response.in_progress`; per output item `response.output_item.added`, its text (`response.output_text.delta` …
 * `.done`) or its arguments (`response.function_call_arguments.delta` … `.done`), `response.output_item.done`; then
 * `response.completed` with the whole response. Items stream one after another, as the API sends them.
 */
export function responsesEvents(response: ApiResponse, argumentFragmentChars: number): ResponseStreamEvent[] {
  const events: ResponseStreamEvent[] = [];
  let sequence = 0;
  const push = (event: Record<string, unknown>) => {
    events.push({ ...event, sequence_number: sequence++ } as unknown as ResponseStreamEvent);
  };
  const pending = { ...response, status: 'in_progress' as const, output: [], output_text: '', usage: undefined };
  push({ type: 'response.created', response: pending });
  push({ type: 'response.in_progress', response: pending });
  for (const [output_index, item] of response.output.entries()) {
    if (item.type === 'message') {
      push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } });
      for (const [content_index, part] of item.content.entries()) {
        if (part.type !== 'output_text') continue;
        const where = { item_id: item.id, output_index, content_index };
        push({ type: 'response.content_part.added', ...where, part: { ...part, text: '' } });
        for (const delta of part.text.match(/\S+\s*|\s+/g) ?? []) {
          push({ type: 'response.output_text.delta', ...where, delta, logprobs: [] });
        }
        push({ type: 'response.output_text.done', ...where, text: part.text, logprobs: [] });
        push({ type: 'response.content_part.done', ...where, part });
      }
    } else if (item.type === 'function_call') {
      push({
        type: 'response.output_item.added',
        output_index,
        item: { ...item, arguments: '', status: 'in_progress' },
      });
      const where = { item_id: item.id, output_index };
      for (const delta of split(item.arguments, argumentFragmentChars)) {
        push({ type: 'response.function_call_arguments.delta', ...where, delta });
      }
      push({ type: 'response.function_call_arguments.done', ...where, name: item.name, arguments: item.arguments });
    }
    push({ type: 'response.output_item.done', output_index, item });
  }
  push({ type: 'response.completed', response });
  return events;
}

/** Each function call's `response.function_call_arguments.done`: the event after which its arguments are complete. */
export function responsesReady(events: readonly unknown[]): ReadyEvents {
  const callIds = new Map<string, string>();
  const ready = new Map<number, string[]>();
  for (const [i, event] of events.entries()) {
    const e = event as { type: string; item_id?: string; item?: { type: string; id?: string; call_id?: string } };
    if (e.type === 'response.output_item.added' && e.item?.type === 'function_call' && e.item.id && e.item.call_id) {
      callIds.set(e.item.id, e.item.call_id);
    } else if (e.type === 'response.function_call_arguments.done' && callIds.has(e.item_id ?? '')) {
      ready.set(i, [callIds.get(e.item_id ?? '') as string]);
    }
  }
  return ready;
}
