import { AbortError } from './errors.ts';

/** The error a call rejects with when its signal aborts: the signal's reason if it is an error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortError('the call was aborted');
}

/**
 * Something waiting on a signal (a call's timer, a timeout's controller): a node of that signal's list of waiters.
 * Every waiter of a signal shares one real listener on it: thousands of calls of one batch waiting on the run's
 * signal would otherwise each add one, and an `AbortSignal`'s add and remove cost grows with the listeners present
 * (quadratic over a batch). A node is its own handle: registering and leaving allocate nothing more.
 */
export abstract class AbortWaiter {
  prev: AbortWaiter | undefined = undefined;
  next: AbortWaiter | undefined = undefined;
  list: WaiterList | undefined = undefined;
  /** Called once, when the signal aborts while this waits (or at once if it had already). */
  abstract abortWith(reason: Error): void;
}

interface WaiterList {
  head: AbortWaiter | undefined;
}

const lists = new WeakMap<AbortSignal, WaiterList>();
// the signal of the last registration: a batch registers all its calls on one signal, so most lookups end here
let lastSignal: AbortSignal | undefined;
let lastList: WaiterList | undefined;

function listOf(signal: AbortSignal): WaiterList {
  if (signal === lastSignal && lastList) return lastList;
  let list = lists.get(signal);
  if (!list) {
    const created: WaiterList = { head: undefined };
    list = created;
    lists.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        lists.delete(signal);
        if (lastSignal === signal) lastSignal = lastList = undefined;
        const reason = abortReason(signal);
        for (let waiter = created.head; waiter; ) {
          const next = waiter.next;
          waiter.prev = waiter.next = waiter.list = undefined;
          waiter.abortWith(reason);
          waiter = next;
        }
        created.head = undefined;
      },
      { once: true },
    );
  }
  lastSignal = signal;
  lastList = list;
  return list;
}

/** Starts `waiter` waiting on `signal`; if it has already aborted, `abortWith` runs at once. */
export function listen(signal: AbortSignal, waiter: AbortWaiter): void {
  if (signal.aborted) {
    waiter.abortWith(abortReason(signal));
    return;
  }
  const list = listOf(signal);
  waiter.list = list;
  waiter.next = list.head;
  if (list.head) list.head.prev = waiter;
  list.head = waiter;
}

/** Stops `waiter` waiting (it finished first); safe to call twice, or after an abort. */
export function unlisten(waiter: AbortWaiter): void {
  const list = waiter.list;
  if (!list) return;
  if (waiter.prev) waiter.prev.next = waiter.next;
  else list.head = waiter.next;
  if (waiter.next) waiter.next.prev = waiter.prev;
  waiter.prev = waiter.next = waiter.list = undefined;
}

class HandlerWaiter extends AbortWaiter {
  constructor(readonly handler: (reason: Error) => void) {
    super();
  }
  abortWith(reason: Error): void {
    this.handler(reason);
  }
}

/**
 * Runs `handler` once when `signal` aborts (at once if it already has) and returns the function that stops waiting.
 * The closure form of {@link listen}, for code off the per-call path.
 */
export function onAbort(signal: AbortSignal | undefined, handler: (reason: Error) => void): () => void {
  if (!signal) return noop;
  const waiter = new HandlerWaiter(handler);
  listen(signal, waiter);
  return () => unlisten(waiter);
}

function noop(): void {}
