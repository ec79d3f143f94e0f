import { EventEmitter, setMaxListeners } from 'node:events';
import type { AgentRun } from '../agent/types.ts';
import { DEFAULT_MAX_STEPS } from '../agent/types.ts';
import type { CallRunner } from '../executors/call.ts';
import type { CallPolicy } from '../executors/policy.ts';
import { mainThreadInvoke } from '../executors/registry.ts';
import { OPENAI_BASE_URL } from '../model/context.ts';
import type { ModelMock } from '../model/mock-server.ts';
import type { Scenario } from '../model/scenario.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import type { JsonSchema } from '../tools/definition.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import type { FrameworkAgent } from './definition.ts';
import { CallRecorder, observedRun } from './observe.ts';
import { type FrameworkRegistry, type FrameworkSpec, type ResolvedFramework, resolveFramework } from './registry.ts';

export const FRAMEWORK_INSTRUCTIONS = 'Answer the question; call the tools you need, several at once when you can.';

export interface FrameworkSessionOptions {
  framework: FrameworkSpec | ResolvedFramework;
  scenario: Scenario;
  /** A listening mock of the OpenAI API at the SDKs' default base URL; sessions take turns on it. */
  mock: ModelMock;
  tools: ToolRuntimeConfig;
  /** The tools the framework's agent is given. @default the built-in catalog */
  toolRegistry?: ToolRegistry;
  /** Where a framework given by spec is looked up. @default the built-ins alone */
  frameworkRegistry?: FrameworkRegistry;
  /** Timeout and retries of every call, applied inside the tool (the framework sees a tool that failed). */
  policy?: CallPolicy;
  maxSteps?: number;
  /** The framework's own concurrency option (only some have one). */
  concurrency?: number;
  /** Replaces how a call runs (behaviour probes script their tools); default: the harness's tools and policy. */
  invoke?: CallRunner;
}

/** A framework's agent, built once, run once per sample against the mock with the harness's tools. */
export class FrameworkSession {
  readonly framework: ResolvedFramework;
  readonly runtime: ToolRuntime;
  readonly #agent: FrameworkAgent;
  readonly #recorder: CallRecorder;
  readonly #options: FrameworkSessionOptions;

  private constructor(
    options: FrameworkSessionOptions,
    framework: ResolvedFramework,
    runtime: ToolRuntime,
    recorder: CallRecorder,
    agent: FrameworkAgent,
  ) {
    this.#options = options;
    this.framework = framework;
    this.runtime = runtime;
    this.#recorder = recorder;
    this.#agent = agent;
  }

  static async start(options: FrameworkSessionOptions): Promise<FrameworkSession> {
    const framework =
      'definition' in options.framework
        ? options.framework
        : resolveFramework(options.framework, undefined, undefined, options.frameworkRegistry);
    const runtime = new ToolRuntime(options.tools, options.toolRegistry ? { tools: options.toolRegistry } : {});
    const { mock } = options;
    // frameworks derive signals of their own and listen on them once per call of a turn: without this, a turn of
    // more than 10 calls prints Node's leak warning over the progress line
    const widest = Math.max(0, ...options.scenario.turns.map((t) => ('calls' in t ? t.calls.length : 0)));
    setMaxListeners(Math.max(EventEmitter.defaultMaxListeners, 4 * widest + 10));
    mock.use(options.scenario);
    const invoke = options.invoke ?? mainThreadInvoke(runtime, options.policy);
    const recorder = new CallRecorder(invoke, () => mock.exchanges);
    const tools = runtime.tools
      .chatTools()
      .map((t) =>
        recorder.tool(t.function.name, t.function.description, t.function.parameters as unknown as JsonSchema),
      );
    const agent = await framework.definition.create(framework.load, {
      baseURL: OPENAI_BASE_URL,
      apiKey: 'test',
      model: options.scenario.name,
      instructions: FRAMEWORK_INSTRUCTIONS,
      tools,
      maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    return new FrameworkSession(options, framework, runtime, recorder, agent);
  }

  /** The installed version's concurrency option (set through `concurrency`), if it has one. */
  get concurrencyOption(): string | undefined {
    const own = this.#agent.concurrencyOption;
    return own === null ? undefined : (own ?? this.framework.definition.concurrencyOption);
  }

  /** One whole run of the framework's loop; turns and calls as the mock and the tools observed them. */
  async run(signal?: AbortSignal): Promise<AgentRun> {
    const { mock, scenario } = this.#options;
    mock.use(scenario);
    mock.takeExchanges();
    this.#recorder.reset();
    const startedAt = performance.now();
    const answer = await this.#agent.run(scenario.question, signal);
    const endedAt = performance.now();
    // a copy: the caller may take the exchanges too (for the run's ideal)
    return observedRun(scenario.question, answer, [...mock.exchanges], this.#recorder.records, startedAt, endedAt);
  }

  async close(): Promise<void> {
    await this.#agent.close?.();
  }
}
