import type { JsonSchema } from '../tools/definition.ts';

/** A tool as an adapter hands it to its framework: the scenario's tool, timed and seeded by the harness. */
export interface FrameworkTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
  /**
   * Runs one call and resolves with the tool's value, or rejects as the tool failed (the framework decides what the
   * model hears). Pass the call id where the framework tells the tool; without one the harness finds the call in
   * the model's last response by name and arguments.
   */
  execute(args: unknown, callId: string | undefined, signal: AbortSignal | undefined): Promise<unknown>;
}

/** What an adapter builds its framework's agent from. */
export interface FrameworkSetup {
  /** The OpenAI-compatible API to talk to (the mock's): the framework's own provider code runs against it. */
  baseURL: string;
  apiKey: string;
  /** Model name; the mock plays the scenario of this name. */
  model: string;
  /** System instructions, for frameworks that require them. */
  instructions: string;
  tools: FrameworkTool[];
  /** Most model turns a run may take (each framework's own step limit is set to this). */
  maxSteps: number;
  /** The framework's own concurrency option, when it has one and the caller sets it (behaviour probes). */
  concurrency?: number;
}

/** One framework agent, built once per cell and run once per sample. */
export interface FrameworkAgent {
  /** Runs the framework's own loop on the question to the final answer; resolves with the answer text. */
  run(question: string, signal?: AbortSignal): Promise<string>;
  close?(): Promise<void>;
  /**
   * The concurrency option as the installed version has it, where that differs from the definition's
   * `concurrencyOption`: `null` when this version has none (an older major), a name when it calls it otherwise.
   */
  concurrencyOption?: string | null;
}

/**
 * Imports a module of the framework: `load('openai')`, `load('@mastra/core/agent')`. Each of its `packages` resolves
 * to the alias the spec names for it (`openai-runtools@openai-6-44`, `ai-sdk@ai-6+ai-sdk-openai-3`).
 */
// biome-ignore lint/suspicious/noExplicitAny: framework modules are typed by their own packages, not ours
export type ModuleLoader = (specifier: string) => Promise<any>;

/** An agent framework whose own loop fanout-bench measures, as each adapter declares it (`defineFramework`). */
export interface FrameworkDefinition {
  /** Name used in `--frameworks`, e.g. `ai-sdk`. */
  name: string;
  /** One line for `fanout-bench list`. */
  description: string;
  /** npm packages it needs, the main one first (its version is recorded); an alias of one replaces it. */
  packages: readonly string[];
  /** What it asks the model API for. */
  api: 'chat' | 'chat-stream';
  /**
   * The option that limits how many of a turn's calls run at once, if the framework has one (in its current major;
   * an agent says when the installed version has none, see {@link FrameworkAgent.concurrencyOption}).
   */
  concurrencyOption?: string;
  /** Builds an agent on the framework's own API; `load` imports the framework's modules. */
  create(load: ModuleLoader, setup: FrameworkSetup): Promise<FrameworkAgent>;
}

/** Returns its argument: a typed way to declare a framework adapter. */
export function defineFramework(definition: FrameworkDefinition): FrameworkDefinition {
  return definition;
}

/**
 * The adapters of one framework whose loops differ only in how one run is driven (`generateText` and `streamText`,
 * `Agent.generate` and `Agent.stream`): one shared build of the agent, then one `run` per adapter.
 */
export function frameworkFamily<Parts extends Pick<FrameworkAgent, 'concurrencyOption'>>(
  shared: Pick<FrameworkDefinition, 'packages' | 'concurrencyOption'>,
  build: (load: ModuleLoader, setup: FrameworkSetup) => Promise<Parts>,
) {
  return (
    name: string,
    description: string,
    api: FrameworkDefinition['api'],
    run: (parts: Parts, question: string, signal?: AbortSignal) => Promise<string>,
  ): FrameworkDefinition =>
    defineFramework({
      name,
      description,
      api,
      ...shared,
      async create(load, setup) {
        const parts = await build(load, setup);
        return { concurrencyOption: parts.concurrencyOption, run: (question, signal) => run(parts, question, signal) };
      },
    });
}

/** The first error a streamed run reported, thrown as an Error; nothing when there was none. */
export function throwStreamFailure(failure: unknown): void {
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
}
