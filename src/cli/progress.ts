import { formatMode } from '../agent/types.ts';
import type { MatrixEvent } from '../bench/matrix.ts';
import type { Group } from '../bench/plan.ts';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Off a terminal (CI): one plain line at most this often. */
export const PLAIN_INTERVAL_MS = 10_000;

export interface ProgressOptions {
  /** Where progress goes; a terminal gets one updating line, anything else plain lines. @default process.stderr */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** The clock, in ms. @default performance.now */
  now?: () => number;
  /** Off a terminal: a line at the first event this long after the previous one. @default PLAIN_INTERVAL_MS */
  intervalMs?: number;
}

/** `[3/5] io 4 calls (8 executors)`, or for agent runs `[2/9] weather-stock-news chat-stream (3 executors + 1 framework)`. */
function groupLabel(group: Group, index: number, total: number): string {
  const frameworks = group.frameworks?.length
    ? ` + ${group.frameworks.length} framework${group.frameworks.length === 1 ? '' : 's'}`
    : '';
  const what = group.scenario ?? `${group.kind} ${group.calls} call${group.calls === 1 ? '' : 's'}`;
  const mode = group.mode ? ` ${formatMode(group.mode)}` : '';
  const executors = group.ways
    ? group.ways.join(', ')
    : `${group.specs.length} executor${group.specs.length === 1 ? '' : 's'}`;
  return `[${index + 1}/${total}] ${what}${mode} (${executors}${frameworks})`;
}

/**
 * The time left, from the ideal cost still to run at the rate measured over samples only: the time from a group's
 * start to its first sample (pool start-up, warm-up) counts in neither the rate's time nor its cost.
 */
class Estimate {
  #lastAt: number | undefined;
  #lastCost = 0;
  #ms = 0;
  #cost = 0;

  groupStarted(): void {
    this.#lastAt = undefined;
  }

  sample(at: number, doneCost: number): void {
    if (this.#lastAt !== undefined) {
      this.#ms += at - this.#lastAt;
      this.#cost += doneCost - this.#lastCost;
    }
    this.#lastAt = at;
    this.#lastCost = doneCost;
  }

  /** Milliseconds left, or undefined before two samples of a group have been seen. */
  left(doneCost: number, totalCost: number): number | undefined {
    return this.#cost > 0 ? ((totalCost - doneCost) * this.#ms) / this.#cost : undefined;
  }
}

/**
 * Renders the core's events as progress. On a terminal: one updating status line (group i of n, the sample in
 * progress, the time left). Elsewhere (CI): a plain line when the run starts and then at most every `intervalMs`:
 * group, work done of the total, time left, elapsed.
 */
export function progressRenderer(options: ProgressOptions = {}): {
  onEvent: (event: MatrixEvent) => void;
  done: () => void;
} {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? PLAIN_INTERVAL_MS;
  const tty = stream.isTTY === true;
  const started = now();
  const estimate = new Estimate();
  let group = '';
  let drawn = false;
  let lastLine: number | undefined;
  const plain = (text: string) => {
    if (lastLine !== undefined && now() - lastLine < interval) return;
    lastLine = now();
    stream.write(`${text} · ${formatDuration(now() - started)} elapsed\n`);
  };
  const draw = (text: string) => {
    stream.write(`\r\x1b[2K${text}`);
    drawn = true;
  };
  return {
    onEvent(event) {
      if (event.type === 'group-start') {
        group = groupLabel(event.group, event.index, event.total);
        estimate.groupStarted();
        if (tty) draw(`${group} · starting`);
        else plain(`${group} · starting`);
      } else if (event.type === 'sample') {
        estimate.sample(now(), event.doneCost);
        const ms = estimate.left(event.doneCost, event.totalCost);
        const left = ms === undefined ? 'estimating time left' : `${formatDuration(ms)} left`;
        if (tty) {
          draw(`${group} · ${event.executor} round ${event.round + 1} · ${left}`);
          return;
        }
        // agent runs count runs; batches count their nominal ideal time
        const done = event.group.scenario
          ? `${event.doneCost}/${event.totalCost} runs`
          : `${formatDuration(event.doneCost)}/${formatDuration(event.totalCost)} of ideal time run`;
        const share = event.totalCost > 0 ? ` (${Math.floor((100 * event.doneCost) / event.totalCost)}%)` : '';
        plain(`${group} · ${done}${share} · ${left}`);
      }
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
