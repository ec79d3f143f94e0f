import { setMaxListeners } from 'node:events';
import { defineFramework, type FrameworkSetup, type ModuleLoader } from '../definition.ts';

/** LangChain's chat model and tools for a setup (Chat Completions through `@langchain/openai`). */
async function langchainParts(load: ModuleLoader, setup: FrameworkSetup) {
  const { tool } = await load('@langchain/core/tools');
  const { ChatOpenAI } = await load('@langchain/openai');
  const model = new ChatOpenAI({
    model: setup.model,
    apiKey: setup.apiKey,
    maxRetries: 0,
    configuration: { baseURL: setup.baseURL },
  });
  const tools = setup.tools.map((t) =>
    tool(
      (input: unknown, config?: { toolCall?: { id?: string }; signal?: AbortSignal }) =>
        t.execute(input, config?.toolCall?.id, config?.signal),
      { name: t.name, description: t.description, schema: t.parameters },
    ),
  );
  // every call of a turn is one task listening on the run's signal: > 10 calls would warn about a leak
  const invokeOptions = (signal?: AbortSignal) => {
    if (signal) setMaxListeners(0, signal);
    return {
      recursionLimit: 2 * setup.maxSteps + 1,
      ...(setup.concurrency === undefined ? {} : { maxConcurrency: setup.concurrency }),
      ...(signal ? { signal } : {}),
    };
  };
  return { model, tools, invokeOptions };
}

/** The text of the last message of a LangGraph state. */
function lastText(state: { messages?: { content?: unknown }[] }): string {
  const content = state.messages?.at(-1)?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part as { text?: string })?.text ?? '').join('');
  return '';
}

/** LangChain v1 `createAgent` (a LangGraph agent; one task per call). */
export const langchain = defineFramework({
  name: 'langchain',
  description: 'LangChain createAgent (Chat Completions via @langchain/openai)',
  packages: ['langchain', '@langchain/core', '@langchain/openai', '@langchain/langgraph'],
  api: 'chat',
  concurrencyOption: 'invoke(…, { maxConcurrency })',
  async create(load, setup) {
    const { createAgent } = await load('langchain');
    const { model, tools, invokeOptions } = await langchainParts(load, setup);
    const agent = createAgent({ model, tools });
    return {
      async run(question, signal) {
        return lastText(await agent.invoke({ messages: [{ role: 'user', content: question }] }, invokeOptions(signal)));
      },
    };
  },
});

/** LangGraph's prebuilt `ToolNode` in a hand-built model → tools graph. */
export const langgraphToolNode = defineFramework({
  name: 'langgraph-toolnode',
  description: 'LangGraph StateGraph with the prebuilt ToolNode and toolsCondition',
  packages: ['@langchain/langgraph', '@langchain/core', '@langchain/openai'],
  api: 'chat',
  concurrencyOption: 'invoke(…, { maxConcurrency })',
  async create(load, setup) {
    const { StateGraph, MessagesAnnotation, START, END } = await load('@langchain/langgraph');
    const { ToolNode, toolsCondition } = await load('@langchain/langgraph/prebuilt');
    const { model, tools, invokeOptions } = await langchainParts(load, setup);
    const bound = model.bindTools(tools);
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state: { messages: unknown[] }) => ({ messages: [await bound.invoke(state.messages)] }))
      .addNode('tools', new ToolNode(tools))
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', toolsCondition, ['tools', END])
      .addEdge('tools', 'agent')
      .compile();
    return {
      async run(question, signal) {
        return lastText(await graph.invoke({ messages: [{ role: 'user', content: question }] }, invokeOptions(signal)));
      },
    };
  },
});
