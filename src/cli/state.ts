import type { LoadedConfig } from '../config/load.ts';
import type { PreflightWatch } from '../config/preflight.ts';
import { createRegistries, type Registries } from '../config/registries.ts';

/**
 * What the CLI builds once per process and hands to every command: nothing below the CLI reads it from a
 * global. `main.ts` makes it; the program's `preAction` hook fills in the config before a command runs.
 */
export interface CliState {
  /** Tools, executors, frameworks and suites by name: the built-ins, and the config's once it is applied. */
  registries: Registries;
  /** The user's config, loaded and applied before the command's action; undefined when there is none. */
  config?: LoadedConfig;
  /** What pre-flight waits on now (user code), named when a promise can never settle. */
  preflight: PreflightWatch;
}

/** A fresh state: the built-ins alone, no config yet. */
export function createCliState(): CliState {
  return { registries: createRegistries(), preflight: {} };
}

/**
 * What a run takes from the state: the registries, and the config file worker threads and queue workers import
 * for its tools (only when it declares any).
 */
export function runInputs(state: CliState): { registries: Registries; configFile?: string } {
  return {
    registries: state.registries,
    ...(state.config?.config.tools?.length ? { configFile: state.config.file } : {}),
  };
}
