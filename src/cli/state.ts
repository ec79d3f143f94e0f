import type { LoadedConfig } from '../config/load.ts';
import type { PreflightWatch } from '../config/preflight.ts';

/**
 * What the CLI builds once per process and hands to every command: nothing below the CLI reads it from a
 * global. `main.ts` makes it; the program's `preAction` hook fills in the config before a command runs.
 */
export interface CliState {
  /** The user's config, loaded and applied before the command's action; undefined when there is none. */
  config?: LoadedConfig;
  /** What pre-flight waits on now (user code), named when a promise can never settle. */
  preflight: PreflightWatch;
}

/** The config file worker threads and queue workers import for its tools (only when it declares any). */
export function configFileForWorkers(state: CliState): { configFile?: string } {
  return state.config?.config.tools?.length ? { configFile: state.config.file } : {};
}
