import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
/** tsx's loader by URL, so the CLI runs from source in any working directory. */
const TSX_LOADER = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Runs the CLI from source the way `npm run` does; resolves with exit code and output, never rejects. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
  cwd: string = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', TSX_LOADER, join(root, 'src/cli/main.ts'), ...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
