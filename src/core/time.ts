/** Timers and deadlines every layer uses: one race against a timer, one wait-until. */

export interface DeadlineOptions {
  /** Whether the timer keeps the process alive (a deadline the run waits on). @default false */
  holdProcess?: boolean;
}

/**
 * Rejects when `promise` has not settled within `ms`: with `new Error(\`${what} did not settle within N s\`)`, or
 * the error `what` builds. The timer is cleared as soon as the promise settles.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => Error),
  options: DeadlineOptions = {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          typeof what === 'string' ? new Error(`${what} did not settle within ${Math.round(ms / 1000)} s`) : what(),
        ),
      ms,
    );
    if (!options.holdProcess) timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Settles when `promise` does or after `ms`, whichever is first; never rejects. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return withDeadline(
    promise.then(
      () => {},
      () => {},
    ),
    ms,
    'settle',
    { holdProcess: true },
  ).catch(() => {});
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Checks `done` every `everyMs` until it holds or `timeoutMs` have passed; resolves whether it held. `done` is
 * checked first, so a condition that already holds costs no wait.
 */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  { timeoutMs, everyMs = 5 }: { timeoutMs: number; everyMs?: number },
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
