import { defineFramework } from '../definition.ts';

/** OpenAI Agents SDK: `Runner.run` on an `Agent` with function tools, over Chat Completions, tracing off. */
export const openaiAgents = defineFramework({
  name: 'openai-agents',
  description: 'OpenAI Agents SDK Runner.run (Chat Completions model, tracing off)',
  packages: ['@openai/agents'],
  api: 'chat',
  concurrencyOption: 'toolExecution.maxFunctionToolConcurrency',
  async create(load, setup) {
    const agents = await load('@openai/agents');
    agents.setTracingDisabled(true); // it would POST traces to the API at the end of every run
    const modelProvider = new agents.OpenAIProvider({
      apiKey: setup.apiKey,
      baseURL: setup.baseURL,
      useResponses: false,
    });
    const runner = new agents.Runner({
      modelProvider,
      tracingDisabled: true,
      // 0.14 and 0.20 both take it (unset: every call of a turn at once)
      ...(setup.concurrency === undefined ? {} : { toolExecution: { maxFunctionToolConcurrency: setup.concurrency } }),
    });
    const tools = setup.tools.map((t) =>
      agents.tool({
        name: t.name,
        description: t.description,
        parameters: { additionalProperties: true, ...t.parameters },
        strict: false,
        execute: (
          input: unknown,
          _context: unknown,
          details?: { toolCall?: { callId?: string }; signal?: AbortSignal },
        ) => t.execute(input, details?.toolCall?.callId, details?.signal),
      }),
    );
    const agent = new agents.Agent({
      name: 'fanout-bench',
      instructions: setup.instructions,
      model: setup.model,
      tools,
    });
    return {
      async run(question, signal) {
        const result = await runner.run(agent, question, { maxTurns: setup.maxSteps, ...(signal ? { signal } : {}) });
        const output: unknown = result.finalOutput;
        return typeof output === 'string' ? output : JSON.stringify(output ?? '');
      },
    };
  },
});
