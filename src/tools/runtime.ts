import { AbortWaiter, abortReason, listen, onAbort, unlisten } from './abort.ts';
import { parseArguments } from './arguments.ts';
import type { ToolRuntimeConfig } from './config.ts';
import { burnCpu } from './cpu.ts';
import type { Email, ToolCall, ToolContext, ToolDefinition } from './definition.ts';
import { RateLimitError, ToolError } from './errors.ts';
import { type CallPlan, type FaultKind, planCall } from './latency.ts';
import { registerRecordedTools, registerSimulatedTool } from './recorded-tools.ts';
import { ToolRegistry } from './registry.ts';

/** What to do when a call draws the `crash` fault: in a worker, kill the thread; on the main thread, throw. */
export type CrashHandler = (call: ToolCall) => never;

const throwOnCrash: CrashHandler = (call) => {
  throw new ToolError(`injected crash in ${call.name} (no worker thread to kill on the main thread)`);
};

/** Calls whose work is going on, and the most at once since the last reset. */
class InFlight {
  now = 0;
  peak = 0;
  begin(): void {
    this.now++;
    if (this.now > this.peak) this.peak = this.now;
  }
  end(): void {
    this.now--;
  }
}

/** A call checked and planned, about to spend its latency. */
interface PreparedCall {
  call: ToolCall;
  definition: ToolDefinition;
  args: Record<string, unknown>;
  plan: CallPlan;
  /** The signal the work listens to (none when tools ignore aborts). */
  signal: AbortSignal | undefined;
  mailbox: Email[];
}

function contextOf(call: Pick<PreparedCall, 'signal' | 'mailbox'>): ToolContext {
  return { signal: call.signal, mailbox: call.mailbox };
}

/**
 * A simulated I/O call waiting on its timer, then answering: the hot path of every I/O batch, so one object holds
 * the whole call (no async frames or closures beyond the timer's), and thousands of calls in flight stay light.
 */
class SimulatedIoCall extends AbortWaiter {
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  // the prepared call's fields, copied: the prepared object and its plan die young instead of living 300 ms
  readonly call: ToolCall;
  readonly definition: ToolDefinition;
  readonly args: Record<string, unknown>;
  readonly fault: FaultKind;
  readonly signal: AbortSignal | undefined;
  readonly mailbox: Email[];
  constructor(
    prepared: PreparedCall,
    readonly load: InFlight,
    readonly onCrash: CrashHandler,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {
    super();
    this.call = prepared.call;
    this.definition = prepared.definition;
    this.args = prepared.args;
    this.fault = prepared.plan.fault;
    this.signal = prepared.signal;
    this.mailbox = prepared.mailbox;
  }

  start(ms: number): void {
    this.load.begin();
    const signal = this.signal;
    if (signal?.aborted) {
      this.abortWith(abortReason(signal));
      return;
    }
    if (signal) listen(signal, this);
    this.timer = setTimeout(() => this.fire(), ms);
  }

  abortWith(reason: Error): void {
    clearTimeout(this.timer);
    this.load.end();
    this.reject(reason);
  }

  fire(): void {
    unlisten(this);
    this.load.end();
    try {
      if (this.fault === 'crash') this.onCrash(this.call);
      if (this.fault === 'fail') throw new ToolError(`injected failure in ${this.call.name}`);
      this.resolve(this.definition.execute(this.args, contextOf(this)));
    } catch (error) {
      this.reject(error);
    }
  }
}

function waitForever(signal?: AbortSignal): Promise<never> {
  // a hang without a signal never settles: that is the fault being simulated
  return new Promise((_, reject) => onAbort(signal, reject));
}

export interface ToolRuntimeOptions {
  /** The tools calls may name. @default the built-in catalog alone */
  tools?: ToolRegistry;
  /** What the `crash` fault does. @default throw a ToolError (on the main thread there is no worker to kill) */
  onCrash?: CrashHandler;
}

/**
 * Runs simulated tools on the current thread: binds arguments, spends the call's seeded latency as a timer
 * (`io`) or as calibrated computation (`cpu`), applies its seeded fault, then answers.
 */
export class ToolRuntime {
  readonly config: ToolRuntimeConfig;
  /** Emails that `send_email` delivered through this runtime (or, for worker pools, reported back to it). */
  readonly mailbox: Email[] = [];
  /** The tools calls are looked up in (a recorded profile's tools are registered into it). */
  readonly tools: ToolRegistry;
  readonly #onCrash: CrashHandler;
  readonly #load = new InFlight();

  constructor(config: ToolRuntimeConfig, options: ToolRuntimeOptions = {}) {
    if (config.kind === 'cpu' && !(config.cpuUnitsPerMs && config.cpuUnitsPerMs > 0)) {
      throw new Error('cpu tools need a calibration: set cpuUnitsPerMs (see calibrateCpu)');
    }
    this.config = config;
    this.tools = options.tools ?? new ToolRegistry();
    this.#onCrash = options.onCrash ?? throwOnCrash;
    if (config.recordedFile !== undefined) registerRecordedTools(this.tools, config.recordedFile);
    for (const name of config.simulatedTools ?? []) {
      registerSimulatedTool(this.tools, name, 'replayed tool: takes its recorded time', 'replayed trace');
    }
  }

  /** Calls whose work is still going on (including ones whose caller gave up after a timeout). */
  get inFlight(): number {
    return this.#load.now;
  }

  /** Highest {@link inFlight} seen since the last call of {@link resetPeak}. */
  get peakInFlight(): number {
    return this.#load.peak;
  }

  resetPeak(): void {
    this.#load.peak = this.#load.now;
  }

  plan(call: ToolCall): CallPlan {
    return planCall(this.config, call.id, call.name);
  }

  /**
   * Runs one call; rejects with {@link ToolError}, the signal's reason, or a tool's own error. A simulated tool
   * spends the call's drawn latency (timer or calibrated CPU work) before `execute`; a tool with its own latency
   * is its `execute`. Faults apply to both: a hang never runs the tool, a failure or crash comes after its work.
   */
  invoke(call: ToolCall, signal?: AbortSignal, context: Pick<ToolContext, 'mailbox'> = this): Promise<unknown> {
    let prepared: PreparedCall;
    try {
      prepared = this.#prepare(call, signal, context);
    } catch (error) {
      return Promise.reject(error);
    }
    const { definition, plan } = prepared;
    if (
      definition.latency === 'simulated' &&
      this.config.kind === 'io' &&
      plan.fault !== 'hang' &&
      plan.latencyMs > 0
    ) {
      return new Promise((resolve, reject) =>
        new SimulatedIoCall(prepared, this.#load, this.#onCrash, resolve, reject).start(plan.latencyMs),
      );
    }
    return this.#run(prepared);
  }

  /** Binds and checks the call and draws its plan; throws what the call should reject with. */
  #prepare(call: ToolCall, signal: AbortSignal | undefined, context: Pick<ToolContext, 'mailbox'>): PreparedCall {
    const definition = this.tools.named(call.name).definition;
    const args = parseArguments(definition, call.arguments);
    if (signal?.aborted) throw abortReason(signal);
    const { rateLimit, honorAbort = true } = this.config.faults;
    if (rateLimit !== undefined && this.#load.now >= rateLimit) {
      throw new RateLimitError(
        `429 Too Many Requests from ${call.name}: more than ${rateLimit} calls at once, retry after a moment`,
      );
    }
    const plan = this.plan(call);
    return { call, definition, args, plan, signal: honorAbort ? signal : undefined, mailbox: context.mailbox };
  }

  /** Every call but a simulated I/O one with a timer: hangs, CPU work, 0 ms, and tools with their own latency. */
  async #run(prepared: PreparedCall): Promise<unknown> {
    const { call, definition, args, plan, signal } = prepared;
    const simulated = definition.latency === 'simulated';
    let value: unknown;
    this.#load.begin();
    try {
      if (plan.fault === 'hang') return await waitForever(signal);
      if (!simulated) value = await definition.execute(args, contextOf(prepared));
      else if (this.config.kind === 'cpu') burnCpu(plan.latencyMs * (this.config.cpuUnitsPerMs ?? 0));
    } finally {
      this.#load.end();
    }
    if (plan.fault === 'crash') this.#onCrash(call);
    if (plan.fault === 'fail') throw new ToolError(`injected failure in ${call.name}`);
    return simulated ? await definition.execute(args, contextOf(prepared)) : value;
  }
}
