import { defineFramework, type FrameworkTool } from '../definition.ts';

/** What Mastra hands a tool's `execute`: the two shapes of its two majors. */
interface MastraToolArguments {
  /** 0.x: `{ context: input, runtimeContext, … }`; 1.x: the input itself. */
  first: { context?: unknown; runtimeContext?: unknown } | undefined;
  /** 0.x: `{ toolCallId, abortSignal, … }`; 1.x: `{ agent: { toolCallId }, abortSignal, requestContext, … }`. */
  second: { toolCallId?: string; agent?: { toolCallId?: string }; abortSignal?: AbortSignal; requestContext?: unknown };
}

/**
 * Runs a harness tool with what Mastra passed: 1.x calls `execute(input, context)` (the call id under
 * `context.agent`, and a `requestContext` always there); 0.x called `execute({ context: input, … }, options)`.
 */
function runTool(tool: FrameworkTool, { first, second }: MastraToolArguments): Promise<unknown> {
  const inputFirst = second !== undefined && 'requestContext' in second;
  const input = inputFirst ? first : first?.context;
  return tool.execute(input, second?.agent?.toolCallId ?? second?.toolCallId, second?.abortSignal);
}

/** Mastra `Agent.generate` with `createTool` tools, over Chat Completions (its model router's `{ id, url }` form). */
export const mastra = defineFramework({
  name: 'mastra',
  description: 'Mastra Agent.generate (Chat Completions via its model router)',
  packages: ['@mastra/core', 'zod'],
  api: 'chat',
  async create(load, setup) {
    const { Agent } = await load('@mastra/core/agent');
    const { createTool } = await load('@mastra/core/tools');
    const { z } = await load('zod');
    const tools = Object.fromEntries(
      setup.tools.map((t) => [
        t.name,
        createTool({
          id: t.name,
          description: t.description,
          inputSchema: z.fromJSONSchema(t.parameters),
          execute: async (first: MastraToolArguments['first'], second: MastraToolArguments['second']) =>
            runTool(t, { first, second }),
        }),
      ]),
    );
    const agent = new Agent({
      name: 'fanout-bench',
      instructions: setup.instructions,
      tools,
      // `{ id, url }` talks Chat Completions; the bare string would use Responses with stored items
      model: { id: `openai/${setup.model}`, url: setup.baseURL, apiKey: setup.apiKey },
    });
    // it would print every failed tool call with its stack over the progress line; the model still hears of it
    const { noopLogger } = await load('@mastra/core/logger');
    agent.__setLogger(noopLogger);
    return {
      async run(question, signal) {
        const result = await agent.generate(question, {
          maxSteps: setup.maxSteps,
          ...(signal ? { abortSignal: signal } : {}),
        });
        return result.text as string;
      },
    };
  },
});
