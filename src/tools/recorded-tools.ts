import { basename } from 'node:path';
import { defineTool } from './definition.ts';
import { loadProfileCached } from './recorded.ts';
import { hasTool, registerTool } from './registry.ts';

const done = new Set<string>();

/**
 * Makes every tool named in a recorded profile callable: a name no built-in or config defines becomes a simulated
 * tool (any arguments, answers `{ ok: true }`) whose latency is drawn from its samples. Once per file and thread.
 */
export function registerRecordedTools(file: string): void {
  if (done.has(file)) return;
  const profile = loadProfileCached(file);
  for (const [name, samples] of Object.entries(profile.samples)) {
    if (hasTool(name)) continue;
    registerTool(
      defineTool({
        name,
        description: `recorded tool: latency resampled from ${samples.length} samples in ${basename(file)}`,
        parameters: { type: 'object', properties: {}, additionalProperties: true },
        latency: 'simulated',
        execute: () => ({ ok: true, tool: name }),
      }),
      `recorded in ${file}`,
    );
  }
  done.add(file);
}
