import {
  type FrameworkAgent,
  type FrameworkSetup,
  type FrameworkTool,
  frameworkFamily,
  type ModuleLoader,
  throwStreamFailure,
} from '../definition.ts';

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

/**
 * Mastra's agent with `createTool` tools over Chat Completions (its model router's `{ id, url }` form), and whether
 * it takes `toolCallConcurrency`: 1.x does (default 10, in slots), 0.x ran a turn's calls in waves of a fixed 10.
 */
async function mastraAgent(load: ModuleLoader, setup: FrameworkSetup) {
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
  // 1.x replaced 0.x's RuntimeContext by RequestContext, and took `toolCallConcurrency` in the same major
  const concurrency = await load('@mastra/core/request-context').then(
    (m: { RequestContext?: unknown }) => typeof m.RequestContext === 'function',
    () => false,
  );
  const options = (signal?: AbortSignal) => ({
    maxSteps: setup.maxSteps,
    ...(concurrency && setup.concurrency !== undefined ? { toolCallConcurrency: setup.concurrency } : {}),
    ...(signal ? { abortSignal: signal } : {}),
  });
  const concurrencyOption: FrameworkAgent['concurrencyOption'] = concurrency ? undefined : null;
  return { agent, options, concurrencyOption };
}

/** Its two adapters: one agent, driven to the end by generating or by streaming. */
const mastraFramework = frameworkFamily(
  { packages: ['@mastra/core', 'zod'], concurrencyOption: 'toolCallConcurrency' },
  mastraAgent,
);

/** Mastra `Agent.generate`. */
export const mastra = mastraFramework(
  'mastra',
  'Mastra Agent.generate (Chat Completions via its model router)',
  'chat',
  async ({ agent, options }, question, signal) => (await agent.generate(question, options(signal))).text as string,
);

/** Mastra `Agent.stream`: the same loop over streamed turns, read to the end. */
export const mastraStream = mastraFramework(
  'mastra-stream',
  'Mastra Agent.stream (streamed Chat Completions via its model router)',
  'chat-stream',
  async ({ agent, options }, question, signal) => {
    const output = await agent.stream(question, options(signal));
    let failure: unknown;
    for await (const chunk of output.fullStream as AsyncIterable<{ type: string; payload?: { error?: unknown } }>) {
      if (chunk.type === 'error') failure ??= chunk.payload?.error ?? chunk;
    }
    throwStreamFailure(failure);
    return (await output.text) as string;
  },
);
