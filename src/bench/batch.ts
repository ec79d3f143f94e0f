import type { ToolCall } from '../executors/types.ts';
import { exampleArguments } from '../tools/arguments.ts';
import type { ToolRegistry } from '../tools/registry.ts';

/** The tools a batch rotates through unless told otherwise: the read-only built-ins, so a batch has no side effects. */
export const DEFAULT_BATCH_TOOLS = ['get_weather', 'get_stock_price', 'get_news_headlines', 'get_exchange_rate'];

/**
 * `count` calls whose ids start with `prefix`, the i-th calling `tools[i mod n]` with the tool's examples in
 * rotation. Latencies and faults are drawn from the ids, so every strategy given the same prefix (one round of one
 * cell) meets exactly the same latencies.
 */
export function syntheticBatch(
  prefix: string,
  count: number,
  tools: readonly string[],
  registry: ToolRegistry,
): ToolCall[] {
  const definitions = tools.map((name) => registry.named(name).definition);
  return Array.from({ length: count }, (_, i) => {
    const definition = definitions[i % definitions.length];
    if (!definition) throw new Error('a synthetic batch needs at least one tool');
    const examples = definition.examples ?? [];
    const args = examples.length > 0 ? examples[Math.floor(i / definitions.length) % examples.length] : undefined;
    return {
      id: `${prefix}-c${i}`,
      name: definition.name,
      arguments: JSON.stringify(args ?? exampleArguments(definition)),
    };
  });
}

/** Whether a call's time is its tool's own work (so its ideal comes from what it took, not from a draw). */
export function hasOwnLatency(call: ToolCall, registry: ToolRegistry): boolean {
  return registry.has(call.name) && registry.named(call.name).definition.latency !== 'simulated';
}
