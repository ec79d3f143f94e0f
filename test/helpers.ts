import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
/** The build that `test/global-setup.ts` made of this checkout's source before the run: what an install runs. */
const BUILT_CLI = join(root, 'dist', 'src', 'cli', 'main.js');

/**
 * Runs the CLI as an installed package does (the fresh build of this source; half the start-up of tsx, and the
 * suite starts it a few hundred times); resolves with exit code and output, never rejects.
 */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
  cwd: string = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // a command that writes results writes them under the run's temporary directory unless the test names a place:
  // the suite leaves nothing in the checkout's results/
  const writes =
    ['bench', 'gate', 'bisect'].includes(args[0] ?? '') && !args.includes('--out') && !args.includes('--help');
  const out = writes && cwd === root ? ['--out', mkdtempSync(join(tmpdir(), 'fanout-out-'))] : [];
  try {
    const { stdout, stderr } = await run(process.execPath, [BUILT_CLI, ...args, ...out], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
