import type { ResultsDocument } from '../results/document.ts';

const HEAD = [
  'id',
  'kind',
  'calls',
  'executor',
  'status',
  'mean_ms',
  'p50_ms',
  'p75_ms',
  'p99_ms',
  'min_ms',
  'max_ms',
  'sd_ms',
  'rme_pct',
  'samples',
  'ideal_ms',
  'efficiency',
  'efficiency_low',
  'efficiency_high',
  'speedup',
  'speedup_low',
  'speedup_high',
  'ok',
  'errors',
  'timeouts',
  'cancelled',
  'pool_startup_ms',
  'framework_version',
  'overhead_per_call_ms',
  'peak_in_flight',
  'growth_exponent',
  'error',
];

function quote(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per cell, every number unrounded. */
export function serialize(results: ResultsDocument): string {
  const rows = results.cells.map((c) => {
    if (c.status === 'error') {
      return [c.id, c.kind, c.calls, c.executor, c.status, ...new Array<string>(HEAD.length - 6).fill(''), c.error];
    }
    const s = c.stats;
    const o = c.outcomes;
    return [
      c.id,
      c.kind,
      c.calls,
      c.executor,
      c.status,
      s.mean,
      s.p50,
      s.p75,
      s.p99,
      s.min,
      s.max,
      s.sd,
      s.rme,
      s.samples,
      c.idealMs,
      c.efficiency?.value,
      c.efficiency?.low,
      c.efficiency?.high,
      c.speedup?.value,
      c.speedup?.low,
      c.speedup?.high,
      o.ok,
      o.error,
      o.timeout,
      o.cancelled,
      c.poolStartupMs,
      c.framework?.version,
      c.overheadPerCallMs?.value,
      c.agent?.peakInFlight,
      c.growth?.exponent,
      '',
    ];
  });
  return `${[HEAD, ...rows].map((row) => row.map(quote).join(',')).join('\n')}\n`;
}
