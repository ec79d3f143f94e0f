import { quantileSorted } from '../stats/summary.ts';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Measures how late a recurring timer fires on this thread while something runs: the event-loop delay a
 * blocking tool imposes on everything else. (perf_hooks.monitorEventLoopDelay, reset per sample, drops the one
 * long gap a single blocking batch causes, so the probe keeps its own timestamps.)
 */
export function startLoopProbe(resolutionMs = 10): { stop(): LoopDelay } {
  const lateness: number[] = [];
  let last = performance.now();
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - resolutionMs));
    last = now;
    timer = setTimeout(tick, resolutionMs);
  };
  timer = setTimeout(tick, resolutionMs);
  return {
    stop() {
      clearTimeout(timer);
      lateness.push(Math.max(0, performance.now() - last - resolutionMs)); // a block still going at the end
      lateness.sort((a, b) => a - b);
      return { p50: quantileSorted(lateness, 0.5), p99: quantileSorted(lateness, 0.99), max: lateness.at(-1) ?? 0 };
    },
  };
}
