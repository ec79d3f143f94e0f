import { basename, isAbsolute, relative } from 'node:path';
import { defineTool } from './definition.ts';
import { loadProfileCached } from './recorded.ts';
import type { ToolRegistry } from './registry.ts';

/** Recorded files whose tools each registry holds already. */
const done = new WeakMap<ToolRegistry, Set<string>>();

/** A path as messages show it: relative to the working directory when it lies inside it. */
export function shownPath(file: string): string {
  const inside = relative(process.cwd(), file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

/**
 * Makes every tool named in a recorded profile callable: a name no built-in or config defines becomes a simulated
 * tool (any arguments, answers `{ ok: true }`) whose latency is drawn from its samples. Once per file and registry.
 */
export function registerRecordedTools(tools: ToolRegistry, file: string): void {
  const files = done.get(tools) ?? new Set<string>();
  done.set(tools, files);
  if (files.has(file)) return;
  const profile = loadProfileCached(file);
  for (const [name, samples] of Object.entries(profile.samples)) {
    registerSimulatedTool(
      tools,
      name,
      `recorded tool: latency resampled from ${samples.length} samples in ${basename(file)}`,
      `recorded in ${shownPath(file)}`,
    );
  }
  files.add(file);
}

/**
 * A tool known only by its name (from a recording or a replayed trace): it takes any arguments, answers
 * `{ ok: true }`, and spends the latency the runtime plans for the call. A name already registered keeps its tool.
 */
export function registerSimulatedTool(tools: ToolRegistry, name: string, description: string, source: string): void {
  if (tools.has(name)) return;
  tools.register(
    defineTool({
      name,
      description,
      parameters: { type: 'object', properties: {}, additionalProperties: true },
      latency: 'simulated',
      execute: () => ({ ok: true, tool: name }),
    }),
    source,
  );
}
