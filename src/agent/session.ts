import type Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { CallPolicy } from '../executors/policy.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { createExecutor, type ExecutorRegistry, type ExecutorSpec, idealShape } from '../executors/registry.ts';
import type { Executor } from '../executors/types.ts';
import { loadAnthropic } from '../model/anthropic-sdk.ts';
import { type ModelTiming, timingSettings } from '../model/context.ts';
import { createModelMock, type ModelMock } from '../model/mock-server.ts';
import type { Scenario } from '../model/scenario.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { type AgentOptions, runAgent } from './loop.ts';
import { type AgentRun, type ApiMode, type DispatchMode, isAnthropicApi } from './types.ts';

/** `{ key: value }` when the value is set, `{}` otherwise (for optional fields under exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(object: T, key: K): Partial<Pick<T, K>> {
  return object[key] === undefined ? {} : ({ [key]: object[key] } as Partial<Pick<T, K>>);
}

/** Where the model answers from: the msw mock (default, offline) or a live server (OpenAI-compatible, or Anthropic's for `messages`). */
export type ModelTarget =
  | {
      kind: 'mock';
      scenario: Scenario;
      /** The model's timing; unset fields leave the scenario's. */
      timing?: ModelTiming;
      /** A mock already listening, shared by several sessions (msw patches the one global `fetch`). */
      shared?: ModelMock;
    }
  | { kind: 'live'; baseURL: string; model: string; apiKey: string; question: string };

export interface AgentSessionOptions {
  target: ModelTarget;
  executor: ExecutorSpec;
  tools: ToolRuntimeConfig;
  policy?: CallPolicy;
  /** Where `queue(k)` finds Redis and its workers. @default REDIS_URL (else local), 1 worker */
  queue?: QueueSettings;
  /** The tools the model is offered and calls name. @default the built-in catalog */
  toolRegistry?: ToolRegistry;
  /** Where `executor` is looked up. @default the built-ins alone */
  executorRegistry?: ExecutorRegistry;
  api: ApiMode;
  dispatch?: DispatchMode;
  parallelToolCalls?: boolean;
  maxSteps?: number;
  /** End the run with an error when every call of a turn failed (default: the failures go back to the model). */
  stopWhenAllFail?: boolean;
}

/**
 * Everything one agent run needs, started once: mock server (listening before the SDK client is made, since
 * the client captures `fetch`), client, tool runtime and executor (pools warmed). Reused across samples.
 */
export class AgentSession {
  readonly runtime: ToolRuntime;
  readonly mock: ModelMock | undefined;
  readonly #ownsMock: boolean;
  readonly #client: OpenAI | Anthropic;
  readonly #executor: Executor;
  readonly #options: AgentSessionOptions;

  private constructor(
    options: AgentSessionOptions,
    runtime: ToolRuntime,
    executor: Executor,
    mock: ModelMock | undefined,
    client: OpenAI | Anthropic,
  ) {
    this.#options = options;
    this.#ownsMock = options.target.kind === 'mock' && !options.target.shared;
    this.runtime = runtime;
    this.#executor = executor;
    this.mock = mock;
    this.#client = client;
  }

  static async start(options: AgentSessionOptions): Promise<AgentSession> {
    const runtime = new ToolRuntime(options.tools, options.toolRegistry ? { tools: options.toolRegistry } : {});
    const executor = await createExecutor(options.executor, {
      runtime,
      ...(options.executorRegistry ? { registry: options.executorRegistry } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.queue ? { queue: options.queue } : {}),
    });
    const { target } = options;
    const anthropic = isAnthropicApi(options.api);
    if (target.kind === 'live') {
      const client = anthropic
        ? new (await loadAnthropic()).Anthropic({ baseURL: target.baseURL, apiKey: target.apiKey, maxRetries: 0 })
        : new OpenAI({ baseURL: target.baseURL, apiKey: target.apiKey, maxRetries: 0 });
      return new AgentSession(options, runtime, executor, undefined, client);
    }
    if (target.shared) {
      target.shared.use(target.scenario);
      const client = anthropic ? await target.shared.createDirectAnthropicClient() : target.shared.createDirectClient();
      return new AgentSession(options, runtime, executor, target.shared, client);
    }
    const mock = createModelMock({
      scenario: target.scenario,
      ...timingSettings(target.timing ?? {}),
    });
    // our loop takes a client: it reaches the mock directly, and the global fetch stays untouched
    return new AgentSession(
      options,
      runtime,
      executor,
      mock,
      anthropic ? await mock.createDirectAnthropicClient() : mock.createDirectClient(),
    );
  }

  get executorName(): string {
    return this.#executor.name;
  }

  /** One whole conversation, from the question to the final answer. */
  run(hooks: Pick<AgentOptions, 'onStep' | 'signal'> = {}): Promise<AgentRun> {
    const { target } = this.#options;
    return runAgent({
      client: this.#client,
      model: target.kind === 'live' ? target.model : target.scenario.name,
      question: target.kind === 'live' ? target.question : target.scenario.question,
      executor: this.#executor,
      ...pick(idealShape(this.#options.executor, this.#options.executorRegistry), 'schedule'),
      tools: this.runtime.tools.chatTools(),
      api: this.#options.api,
      ...(this.#options.dispatch ? { dispatch: this.#options.dispatch } : {}),
      ...(this.#options.parallelToolCalls === undefined ? {} : { parallelToolCalls: this.#options.parallelToolCalls }),
      ...(this.#options.maxSteps === undefined ? {} : { maxSteps: this.#options.maxSteps }),
      ...(this.#options.stopWhenAllFail ? { stopWhenAllFail: true } : {}),
      ...hooks,
    });
  }

  async close(): Promise<void> {
    await this.#executor.close();
    if (this.#ownsMock) this.mock?.close();
  }
}
