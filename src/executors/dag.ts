import { errorMessage } from '../core/errors.ts';
import { onAbort } from '../tools/abort.ts';
import { type CallRunner, epochNow, settleCall } from './call.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

/** How the error of a task that never ran begins (its input failed, or the run was aborted first). */
export const NOT_RUN = 'not run: ';

/** One task of a plan: a call that may name the results of tasks added before it (LLMCompiler's `$1`). */
export interface DagTask {
  /** The call id its outcome carries, e.g. `task_3`. */
  id: string;
  /** Ids of tasks (added before this one) whose outcomes it needs. */
  deps: readonly string[];
  /** Builds the call once every dependency settled ok, from their outcomes (by id). May throw: that is this task's error outcome. */
  call(done: ReadonlyMap<string, ToolOutcome>): ToolCall;
}

/** How a DAG run starts its tasks. */
export interface DagOptions {
  /** Most tasks running at once; undefined: no limit. */
  limit?: number;
  /** Poll for startable tasks every this many ms (LLMCompiler: 10) instead of starting them the moment they become startable. @default undefined (event-driven) */
  pollMs?: number;
  /** Epoch ms (see `epochNow` in call.ts) the outcomes' startedMs/endedMs count from. @default when the run was created */
  origin?: number;
  signal?: AbortSignal;
}

/** A plan being run while it streams: tasks are added one by one, then `end()`. */
export interface DagRun {
  /** Adds a task as the plan streams; it starts as soon as its dependencies are done (or at the next poll). Throws on a duplicate id or an unknown/later dependency. */
  add(task: DagTask): void;
  /** No more tasks will be added. */
  end(): void;
  /** Every task's outcome, in the order added, once end() was called and all settled. Never rejects. */
  readonly outcomes: Promise<ToolOutcome[]>;
  /** Most tasks that ran at once. */
  readonly peak: number;
}

interface Node {
  readonly task: DagTask;
  /** The tasks it names, each once. */
  readonly deps: readonly Node[];
  /** The tasks that name it, in the order added. */
  readonly dependents: Node[];
  /** Dependencies not settled yet. */
  waiting: number;
  started: boolean;
  outcome: ToolOutcome | undefined;
}

const NO_OUTCOMES: ReadonlyMap<string, ToolOutcome> = new Map();
const NO_DEPS: readonly string[] = [];

const FAILED: Record<Exclude<ToolOutcome['status'], 'ok'>, string> = {
  error: 'failed',
  timeout: 'timed out',
  cancelled: 'was cancelled',
};

function checkOptions({ limit, pollMs }: DagOptions): void {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new TypeError(`Expected \`limit\` to be a whole number ≥ 1 (or undefined for no limit), got \`${limit}\``);
  }
  if (pollMs !== undefined && !(Number.isFinite(pollMs) && pollMs > 0)) {
    throw new TypeError(`Expected \`pollMs\` to be a number of ms > 0 (or undefined: event-driven), got \`${pollMs}\``);
  }
}

/**
 * The Task Fetching Unit of LLMCompiler without its polling: a task starts the moment its last dependency settles
 * ok (at most `limit` at once, the rest in the order they became startable). With `pollMs`, tasks start only in a
 * pass, as in LLMCompiler's loop: at each tick, and whenever a task is added or the plan ends (its loop wakes on its
 * queue); so a task freed by a completion, or waiting for the slot one freed, waits for the next pass. A task whose
 * dependency did not end ok is not run.
 */
class Dag implements DagRun {
  readonly outcomes: Promise<ToolOutcome[]>;
  readonly #runner: CallRunner;
  readonly #origin: number;
  readonly #limit: number;
  readonly #polling: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #nodes: Node[] = [];
  readonly #byId = new Map<string, Node>();
  /** Startable tasks waiting for a slot, in the order they became startable, from #head on. */
  #ready: Node[] = [];
  #head = 0;
  #running = 0;
  #peak = 0;
  #settled = 0;
  #ended = false;
  /** Why unstarted tasks end cancelled, once the signal aborted. */
  #abortMessage: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopListening: () => void;
  #resolve!: (outcomes: ToolOutcome[]) => void;

  constructor(runner: CallRunner, options: DagOptions) {
    checkOptions(options);
    this.#runner = runner;
    this.#origin = options.origin ?? epochNow();
    this.#limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.#polling = options.pollMs !== undefined;
    this.#signal = options.signal;
    this.outcomes = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    // kept referenced: while tasks wait for a tick, the tick is what the process waits on (cleared when all settled)
    if (options.pollMs !== undefined) this.#timer = setInterval(() => this.#pump(), options.pollMs);
    // runs at once if the signal has already aborted
    this.#stopListening = onAbort(options.signal, (reason) => this.#abort(reason));
  }

  get peak(): number {
    return this.#peak;
  }

  add(task: DagTask): void {
    if (this.#ended) throw new Error(`Task \`${task.id}\` was added after end(); add every task before end()`);
    if (this.#byId.has(task.id)) throw new Error(`Task id \`${task.id}\` was added twice; give each task its own id`);
    const deps: Node[] = [];
    for (const id of task.deps) {
      const dep = this.#byId.get(id);
      if (!dep) {
        throw new Error(
          `Task \`${task.id}\` depends on \`${id}\`, which was not added before it; add a task after those it names`,
        );
      }
      if (!deps.includes(dep)) deps.push(dep);
    }
    const node: Node = { task, deps, dependents: [], waiting: 0, started: false, outcome: undefined };
    this.#nodes.push(node);
    this.#byId.set(task.id, node);
    if (this.#abortMessage !== undefined) {
      this.#finish(node, this.#settledNow(task.id, this.#abortMessage, 'cancelled'));
      return;
    }
    const failed = deps.find((dep) => dep.outcome !== undefined && dep.outcome.status !== 'ok');
    if (failed) {
      this.#finish(node, this.#failedDep(node, failed));
      return;
    }
    for (const dep of deps) {
      if (dep.outcome !== undefined) continue;
      node.waiting++;
      dep.dependents.push(node);
    }
    if (node.waiting === 0) this.#ready.push(node);
    this.#pump();
  }

  end(): void {
    this.#ended = true;
    this.#pump();
    this.#checkDone();
  }

  /** A pass: starts startable tasks, oldest first, while slots are free. */
  #pump(): void {
    while (this.#head < this.#ready.length && this.#running < this.#limit && this.#abortMessage === undefined) {
      this.#start(this.#ready[this.#head++] as Node);
    }
    if (this.#head === this.#ready.length && this.#head > 0) {
      this.#ready = [];
      this.#head = 0;
    }
  }

  #start(node: Node): void {
    node.started = true;
    let call: ToolCall;
    try {
      call = node.task.call(this.#inputs(node));
    } catch (error) {
      this.#finish(node, this.#settledNow(node.task.id, errorMessage(error), 'error'));
      return;
    }
    this.#running++;
    if (this.#running > this.#peak) this.#peak = this.#running;
    settleCall(call, this.#runner, this.#origin, this.#signal).then((outcome) => {
      this.#running--;
      this.#finish(node, outcome.id === node.task.id ? outcome : { ...outcome, id: node.task.id });
      // polling: what this frees (a dependent, a slot) waits for the next pass
      if (!this.#polling) this.#pump();
    });
  }

  #inputs(node: Node): ReadonlyMap<string, ToolOutcome> {
    if (node.deps.length === 0) return NO_OUTCOMES;
    const inputs = new Map<string, ToolOutcome>();
    for (const dep of node.deps) inputs.set(dep.task.id, dep.outcome as ToolOutcome);
    return inputs;
  }

  /** Records an outcome; frees the dependents of an ok one, ends those of a failed one as not run (transitively). */
  #finish(node: Node, outcome: ToolOutcome): void {
    node.outcome = outcome;
    this.#settled++;
    if (outcome.status === 'ok') {
      for (const next of node.dependents) {
        if (next.outcome === undefined && --next.waiting === 0) this.#ready.push(next);
      }
    } else {
      const failed = [node];
      for (let done = failed.pop(); done; done = failed.pop()) {
        for (const next of done.dependents) {
          if (next.outcome !== undefined) continue;
          next.outcome = this.#failedDep(next, done);
          this.#settled++;
          failed.push(next);
        }
      }
    }
    this.#checkDone();
  }

  #failedDep(node: Node, dep: Node): ToolOutcome {
    const outcome = dep.outcome as Exclude<ToolOutcome, { status: 'ok' }>;
    return this.#settledNow(
      node.task.id,
      `${NOT_RUN}${dep.task.id} ${FAILED[outcome.status]} (${outcome.error})`,
      'error',
    );
  }

  #settledNow(id: string, error: string, status: 'error' | 'cancelled'): ToolOutcome {
    const at = epochNow() - this.#origin;
    return { id, status, error, startedMs: at, endedMs: at };
  }

  /** Unstarted tasks end cancelled; running ones see the signal through their runner. */
  #abort(reason: Error): void {
    this.#abortMessage = `${NOT_RUN}${errorMessage(reason)}`;
    clearInterval(this.#timer);
    this.#ready = [];
    this.#head = 0;
    for (const node of this.#nodes) {
      if (node.started || node.outcome !== undefined) continue;
      node.outcome = this.#settledNow(node.task.id, this.#abortMessage, 'cancelled');
      this.#settled++;
    }
    this.#checkDone();
  }

  #checkDone(): void {
    if (!this.#ended || this.#settled < this.#nodes.length) return;
    clearInterval(this.#timer);
    this.#stopListening();
    this.#resolve(this.#nodes.map((node) => node.outcome as ToolOutcome));
  }
}

/** Starts a DAG run that takes tasks as the plan streams them; call `end()` after the last one. */
export function startDag(runner: CallRunner, options: DagOptions = {}): DagRun {
  return new Dag(runner, options);
}

/** The name of a DAG executor: `dag`, `dag(4)`, `dag+poll10ms`, `dag(4)+poll10ms`. */
export function dagLabel(options: { limit?: number; pollMs?: number }): string {
  const limit = options.limit === undefined ? '' : `(${options.limit})`;
  return `dag${limit}${options.pollMs === undefined ? '' : `+poll${options.pollMs}ms`}`;
}

/**
 * A plan's DAG as an Executor for a batch of independent calls (no deps): `dag` = every call at once, `dag(k)` = at
 * most k. Each run counts from its own start (`origin` is ignored); `signal` aborts every run besides its own.
 */
export function dagExecutor(runner: CallRunner, options: DagOptions = {}): Executor {
  checkOptions(options);
  const { limit, pollMs } = options;
  return {
    name: dagLabel(options),
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const signals = [signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
      const run = startDag(runner, {
        limit,
        pollMs,
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      });
      // a batch may repeat a call id: such a call runs under a unique task id and gets its own id back after
      const seen = new Set<string>();
      let repeats = false;
      calls.forEach((call, i) => {
        let id = call.id;
        while (seen.has(id)) id = `${id}#${i}`;
        repeats ||= id !== call.id;
        seen.add(id);
        run.add({ id, deps: NO_DEPS, call: () => call });
      });
      run.end();
      if (!repeats) return run.outcomes;
      return run.outcomes.then((outcomes) =>
        outcomes.map((outcome, i) => {
          const id = calls[i]?.id ?? outcome.id;
          return outcome.id === id ? outcome : { ...outcome, id };
        }),
      );
    },
    async close() {},
  };
}
