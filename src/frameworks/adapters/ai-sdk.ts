import { defineFramework, type FrameworkSetup, type ModuleLoader } from '../definition.ts';

/** The AI SDK's model, tools and step limit for a setup (Chat Completions through `@ai-sdk/openai`). */
async function aiSdkParts(load: ModuleLoader, setup: FrameworkSetup) {
  const ai = await load('ai');
  const { createOpenAI } = await load('@ai-sdk/openai');
  // its warnings about settings the mock ignores would interleave with the progress line
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  const provider = createOpenAI({ baseURL: setup.baseURL, apiKey: setup.apiKey });
  const tools = Object.fromEntries(
    setup.tools.map((t) => [
      t.name,
      ai.tool({
        description: t.description,
        inputSchema: ai.jsonSchema(t.parameters),
        execute: (input: unknown, options: { toolCallId?: string; abortSignal?: AbortSignal }) =>
          t.execute(input, options?.toolCallId, options?.abortSignal),
      }),
    ]),
  );
  return { ai, model: provider.chat(setup.model), tools, stopWhen: ai.stepCountIs(setup.maxSteps) };
}

/** The options both loops take: the model, tools, step limit and question, no retries (a retry would hide a 400). */
async function aiSdkCall(load: ModuleLoader, setup: FrameworkSetup) {
  const { ai, model, tools, stopWhen } = await aiSdkParts(load, setup);
  const options = (question: string, signal?: AbortSignal) => ({
    model,
    tools,
    stopWhen,
    prompt: question,
    maxRetries: 0,
    ...(signal ? { abortSignal: signal } : {}),
  });
  return { ai, options };
}

/** Vercel AI SDK `generateText` with tools and a step limit. */
export const aiSdk = defineFramework({
  name: 'ai-sdk',
  description: 'Vercel AI SDK generateText (Chat Completions via @ai-sdk/openai)',
  packages: ['ai', '@ai-sdk/openai'],
  api: 'chat',
  async create(load, setup) {
    const { ai, options } = await aiSdkCall(load, setup);
    return {
      async run(question, signal) {
        return (await ai.generateText(options(question, signal))).text as string;
      },
    };
  },
});

/** Vercel AI SDK `streamText`: the same loop over streamed turns. */
export const aiSdkStream = defineFramework({
  name: 'ai-sdk-stream',
  description: 'Vercel AI SDK streamText (streamed Chat Completions via @ai-sdk/openai)',
  packages: ['ai', '@ai-sdk/openai'],
  api: 'chat-stream',
  async create(load, setup) {
    const { ai, options } = await aiSdkCall(load, setup);
    return {
      async run(question, signal) {
        let failure: unknown;
        const result = ai.streamText({
          ...options(question, signal),
          onError: ({ error }: { error: unknown }) => {
            failure ??= error; // streamText reports errors here instead of rejecting
          },
        });
        for await (const part of result.fullStream as AsyncIterable<{ type: string; error?: unknown }>) {
          if (part.type === 'error') failure ??= part.error;
        }
        if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
        return (await result.text) as string;
      },
    };
  },
});
