import { type FrameworkSetup, frameworkFamily, type ModuleLoader, throwStreamFailure } from '../definition.ts';

// biome-ignore lint/suspicious/noExplicitAny: the AI SDK's modules are typed by their own packages, not ours
type Module = any;

/** A Chat Completions answer with two calls, for {@link honoursToolCallConcurrency}. */
const TWO_CALLS = {
  id: 'chatcmpl-probe',
  object: 'chat.completion',
  created: 0,
  model: 'probe',
  choices: [
    {
      index: 0,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [0, 1].map((i) => ({
          id: `call_${i}`,
          type: 'function',
          function: { name: 'probe', arguments: '{}' },
        })),
      },
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

const honoured = new WeakMap<object, Promise<boolean>>();

/**
 * Whether this `ai` runs a turn's calls within `toolCallConcurrency` (ai 7 has the option; ai 6 takes any unknown
 * option silently): one offline turn of two calls at 1, answered by the provider's own `fetch`, never the network.
 */
function honoursToolCallConcurrency(ai: Module, createOpenAI: Module): Promise<boolean> {
  let known = honoured.get(ai);
  if (!known) {
    known = (async () => {
      const body = JSON.stringify(TWO_CALLS);
      const fetch = async () => new Response(body, { headers: { 'Content-Type': 'application/json' } });
      const provider = createOpenAI({ apiKey: 'probe', fetch });
      let running = 0;
      let peak = 0;
      const probe = ai.tool({
        description: 'probe',
        inputSchema: ai.jsonSchema({ type: 'object', properties: {} }),
        execute: async () => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setTimeout(resolve, 1));
          running--;
          return 'ok';
        },
      });
      try {
        const options = { toolCallConcurrency: 1, maxRetries: 0, prompt: 'probe', tools: { probe } };
        await ai.generateText({ model: provider.chat('probe'), ...options });
        return peak === 1;
      } catch {
        return false;
      }
    })();
    honoured.set(ai, known);
  }
  return known;
}

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
  // ai 7 names the step-count condition `isStepCount` (6: `stepCountIs`, which 7 keeps as deprecated)
  const stepCount = ai.isStepCount ?? ai.stepCountIs;
  const concurrency = await honoursToolCallConcurrency(ai, createOpenAI);
  return { ai, model: provider.chat(setup.model), tools, stopWhen: stepCount(setup.maxSteps), concurrency };
}

/** The options both loops take: the model, tools, step limit and question, no retries (a retry would hide a 400). */
async function aiSdkCall(load: ModuleLoader, setup: FrameworkSetup) {
  const { ai, model, tools, stopWhen, concurrency } = await aiSdkParts(load, setup);
  const limit = concurrency && setup.concurrency !== undefined ? { toolCallConcurrency: setup.concurrency } : {};
  const options = (question: string, signal?: AbortSignal) => ({
    model,
    tools,
    stopWhen,
    prompt: question,
    maxRetries: 0,
    ...limit,
    ...(signal ? { abortSignal: signal } : {}),
  });
  return { ai, options, concurrencyOption: concurrency ? undefined : null };
}

/** Its two adapters: one agent, driven to the end by generating or by streaming. */
const aiSdkFramework = frameworkFamily(
  { packages: ['ai', '@ai-sdk/openai'], concurrencyOption: 'toolCallConcurrency' },
  aiSdkCall,
);

/** Vercel AI SDK `generateText` with tools and a step limit. */
export const aiSdk = aiSdkFramework(
  'ai-sdk',
  'Vercel AI SDK generateText (Chat Completions via @ai-sdk/openai)',
  'chat',
  async ({ ai, options }, question, signal) => (await ai.generateText(options(question, signal))).text as string,
);

/** Vercel AI SDK `streamText`: the same loop over streamed turns. */
export const aiSdkStream = aiSdkFramework(
  'ai-sdk-stream',
  'Vercel AI SDK streamText (streamed Chat Completions via @ai-sdk/openai)',
  'chat-stream',
  async ({ ai, options }, question, signal) => {
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
    throwStreamFailure(failure);
    return (await result.text) as string;
  },
);
