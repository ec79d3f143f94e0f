import { defineFramework } from '../definition.ts';

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
          execute: async (
            { context }: { context: unknown },
            options?: { toolCallId?: string; abortSignal?: AbortSignal },
          ) => t.execute(context, options?.toolCallId, options?.abortSignal),
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
