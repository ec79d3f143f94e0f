import { defineFramework } from '../definition.ts';

/** openai-node's own tool loop: `chat.completions.runTools` (Chat Completions only; tools are not told the call id). */
export const openaiRunTools = defineFramework({
  name: 'openai-runtools',
  description: "openai-node's chat.completions.runTools",
  packages: ['openai'],
  api: 'chat',
  async create(load, setup) {
    const { default: OpenAI } = await load('openai');
    const client = new OpenAI({ baseURL: setup.baseURL, apiKey: setup.apiKey, maxRetries: 0 });
    const tools = setup.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        description: t.description,
        parameters: t.parameters,
        parse: JSON.parse,
        function: (args: unknown) => t.execute(args, undefined, undefined),
      },
    }));
    return {
      async run(question, signal) {
        const runner = client.chat.completions.runTools(
          { model: setup.model, messages: [{ role: 'user', content: question }], tools },
          { maxChatCompletions: setup.maxSteps, ...(signal ? { signal } : {}) },
        );
        return (await runner.finalContent()) ?? '';
      },
    };
  },
});
