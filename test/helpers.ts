import type { ToolCall } from '../src/executors/types.ts';
import { type ToolRuntimeConfig, toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRuntime } from '../src/tools/runtime.ts';

/** A runtime with small latencies so tests stay fast. */
export function testRuntime(partial: Partial<ToolRuntimeConfig> = {}): ToolRuntime {
  return new ToolRuntime(toolRuntimeConfig({ latencyMs: 15, ...partial }));
}

export function weatherCalls(count: number, prefix = 'call'): ToolCall[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    name: 'get_weather',
    arguments: JSON.stringify({ city: 'Tokyo' }),
  }));
}
