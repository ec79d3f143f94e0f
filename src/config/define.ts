import type { ExecutorDefinition } from '../executors/definition.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { FrameworkDefinition } from '../frameworks/definition.ts';
import type { AgentBenchConfig } from '../results/document.ts';
import type { FaultConfig, LatencyProfileName, WorkloadKind } from '../tools/config.ts';
import type { ToolDefinition } from '../tools/definition.ts';

/** A named matrix in a config: any field left out takes the `default` suite's value. */
export interface SuiteSettings {
  /** One line for `fanout-bench list`. */
  description?: string;
  /** e.g. `['sequential', 'promise-all', 'my-batcher(4)']`; `sequential` is always measured. */
  executors?: string[];
  calls?: number[];
  limits?: number[];
  kinds?: WorkloadKind[];
  /** Nominal latency of simulated tools, ms. */
  latencyMs?: number;
  /** A built-in profile (`fixed`, `uniform`, `long-tail`) or a recorded file, relative to the config file. */
  profile?: LatencyProfileName | string;
  seed?: number;
  /** Interleaved rounds per cell. */
  rounds?: number;
  faults?: Partial<FaultConfig>;
  policy?: Partial<CallPolicy>;
  /** Agent runs on a scenario instead of single batches; `api` defaults to `chat`, `dispatch` to `after-stream`. */
  agent?: Partial<AgentBenchConfig> & { scenario: string };
  /** Tools a synthetic batch rotates through (by name: built-in, from this config, or recorded). */
  tools?: string[];
  /** Agent suites: frameworks whose own loops run beside the executors, e.g. `['ai-sdk', 'openai-runtools@openai-next']`. */
  frameworks?: string[];
}

/** What `fanout.config.ts` exports by default. */
export interface FanoutConfig {
  /** Your strategies, measured, listed and gated like the built-ins. */
  executors?: ExecutorDefinition[];
  /** Your tools: real functions with an OpenAI-style JSON schema. */
  // biome-ignore lint/suspicious/noExplicitAny: tools of any argument shape
  tools?: ToolDefinition<any>[];
  /** Your framework adapters (`defineFramework`), measured like the built-in ones with `--frameworks`. */
  frameworks?: FrameworkDefinition[];
  /** Recorded latencies used when `--profile` is not given: JSON, CSV or OTLP JSON, relative to the config file. */
  profile?: string;
  /** Named matrices for `--suite`, `baseline` and `gate`. */
  suites?: Record<string, SuiteSettings>;
}

/** Returns its argument: the typed default export of `fanout.config.ts`. */
export function defineConfig(config: FanoutConfig): FanoutConfig {
  return config;
}
