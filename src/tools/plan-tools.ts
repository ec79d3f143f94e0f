import { defineTool } from './definition.ts';
import { hashString } from './random.ts';
import type { ToolRegistry } from './registry.ts';

/** Where `fanout-bench list` says the plan tools come from. */
export const PLAN_TOOLS_SOURCE = 'plan tools';

const search = defineTool<{ query: string }>({
  name: 'search',
  description: 'Searches the web for a query and returns a short passage (simulated: a fixed text naming the query).',
  parameters: {
    type: 'object',
    properties: { query: { type: 'string', description: 'What to search for, e.g. "cheetah".' } },
    required: ['query'],
    additionalProperties: false,
  },
  latency: 'simulated',
  execute: ({ query }) => `Search result for "${query}": passage ${hashString(query) % 1000} about ${query}.`,
});

const math = defineTool<{ problem: string; context?: string[] }>({
  name: 'math',
  description:
    'Solves a math problem stated in words, given earlier results as context (simulated: the answer is a number ' +
    'derived from a hash of the problem, not real math).',
  parameters: {
    type: 'object',
    properties: {
      problem: { type: 'string', description: 'The problem, e.g. "max($2, $4) / min($2, $4)".' },
      context: { type: 'array', items: { type: 'string' }, description: 'Earlier results the problem needs.' },
    },
    required: ['problem'],
    additionalProperties: false,
  },
  latency: 'simulated',
  execute: ({ problem }) => String((hashString(problem) % 100_000) / 100),
});

/**
 * Registers the tools of LLMCompiler's benchmarks, `search` and `math`: simulated (the harness spends the drawn
 * latency, then they answer deterministically). A name already registered keeps its tool: a user's own wins.
 */
export function registerPlanTools(tools: ToolRegistry): void {
  for (const definition of [search, math]) {
    if (!tools.has(definition.name)) tools.register(definition, PLAN_TOOLS_SOURCE);
  }
}
