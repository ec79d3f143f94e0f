import type OpenAI from 'openai';
import type { ToolCall } from '../../executors/types.ts';
import type { ChatFunctionTool } from '../../tools/catalog.ts';
import { type ModelTurn, type Provider, type ProviderContext, streamClock, toolContent } from '../provider.ts';
import { AgentError } from '../types.ts';

function responsesTools(tools: readonly ChatFunctionTool[]): OpenAI.Responses.FunctionTool[] {
  return tools.map((t) => ({
    type: 'function',
    name: t.function.name,
    description: t.function.description,
    parameters: t.function.parameters as unknown as Record<string, unknown>,
    strict: false,
  }));
}

/** The function calls and text of a whole response, in output order. */
function readOutput(response: OpenAI.Responses.Response): { text: string; calls: ToolCall[] } {
  const calls = response.output.flatMap((item) =>
    item.type === 'function_call' ? [{ id: item.call_id, name: item.name, arguments: item.arguments }] : [],
  );
  const text = response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .flatMap((part) => (part.type === 'output_text' ? [part.text] : []))
    .join('');
  return { text, calls };
}

/**
 * The Responses API (`responses`), and streamed (`responses-stream`): the server keeps the conversation; each
 * request continues from the previous response (`previous_response_id`) with one `function_call_output` per call
 * id. Streamed, a call is ready at its `response.function_call_arguments.done` event.
 */
export function responsesProvider(context: ProviderContext, stream: boolean): Provider {
  let input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: context.question }];
  let previousId: string | undefined;
  let lastId: string | undefined;
  const request = () => ({
    model: context.model,
    input,
    // a planner's request offers its tools in the prompt, not as functions
    ...(context.tools.length > 0 ? { tools: responsesTools(context.tools) } : {}),
    ...(previousId ? { previous_response_id: previousId } : {}),
    ...(context.parallelToolCalls === undefined ? {} : { parallel_tool_calls: context.parallelToolCalls }),
  });
  return {
    streams: stream,
    async ask({ signal, onCallReady, onText }): Promise<ModelTurn> {
      const sent = performance.now();
      if (!stream) {
        const response = await context.client.responses.create(request(), signal ? { signal } : {});
        const modelMs = performance.now() - sent;
        lastId = response.id;
        const output = readOutput(response);
        if (output.text) onText?.(output.text);
        return { ...output, warnings: [], modelMs };
      }
      const events = await context.client.responses.create({ ...request(), stream: true }, signal ? { signal } : {});
      const clock = streamClock(sent);
      // function call items by item id, as `response.output_item.added` announces them
      const items = new Map<string, { id: string; name: string }>();
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of events) {
        clock.event();
        if (event.type === 'response.output_item.added' && event.item.type === 'function_call') {
          items.set(event.item.id ?? '', { id: event.item.call_id, name: event.item.name });
        } else if (event.type === 'response.function_call_arguments.done') {
          const item = items.get(event.item_id);
          clock.ready();
          if (item) onCallReady?.({ id: item.id, name: item.name, arguments: event.arguments });
        } else if (event.type === 'response.output_text.delta') {
          onText?.(event.delta);
        } else if (event.type === 'response.completed') {
          completed = event.response;
        } else if (event.type === 'response.failed' || event.type === 'error') {
          throw new AgentError(`the model's stream failed: ${JSON.stringify(event).slice(0, 200)}`);
        }
      }
      const timing = clock.end(); // the model's time ends with its last event, before the turn is read
      if (!completed) throw new AgentError('the stream ended without response.completed');
      lastId = completed.id;
      return { ...readOutput(completed), warnings: [], ...timing };
    },
    answer(_turn, _calls, outcomes) {
      previousId = lastId;
      input = outcomes.map((o) => ({ type: 'function_call_output', call_id: o.id, output: toolContent(o) }));
    },
    reply(_turn, message) {
      // the server keeps the plan it sent; the next request carries the observations
      previousId = lastId;
      input = [{ role: 'user', content: message }];
    },
  };
}
