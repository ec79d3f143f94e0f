/**
 * What a run's figures say to "how should I run the tool calls my model returns": a sentence or two computed from
 * its cells at the largest call count (pure; the terminal prints them under the tables, the page shows them at the
 * top). Only what the intervals support is said: no reference, overlapping intervals, error cells or failed calls
 * leave out the claims that need them, so a run may have no answer at all.
 */
import { formatMode } from '../agent/types.ts';
import { type CellOk, type CellResult, isReference, type ResultsDocument, referenceName } from '../results/document.ts';
import type { Estimate } from '../stats/summary.ts';
import { DEFAULT_MIN_EFFICIENCY, DEFAULT_TOLERANCE } from '../stats/thresholds.ts';
import { executorLabel, idealSpeedup, perRun, reference } from './cells.ts';
import { callsLabel, formatMs } from './format.ts';

/** A speedup reaches its ideal when its interval's low end is within the gate's efficiency floor of it. */
const REACHES = DEFAULT_MIN_EFFICIENCY;
/** Differences smaller than the gate's tolerance are no difference, however tight the intervals. */
const TOLERANCE = DEFAULT_TOLERANCE;
/** Sequential against itself. */
const ONE: Estimate = { value: 1, low: 1, high: 1 };

/** `a` is ahead of `b`: their intervals apart, and by more than the tolerance. */
const ahead = (a: Estimate, b: Estimate): boolean => a.low > b.high && a.value >= b.value * (1 + TOLERANCE);

const times = (x: number): string => `${x.toFixed(2)}x`;

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** A cell beside its reference: its name, speedup (with its interval), the ideal's speedup, a pool's start-up. */
interface Entry {
  cell: CellOk;
  label: string;
  speedup: Estimate;
  ideal: number;
  startupMs?: number;
}

/** One kind's (and agent mode's) sentences, and its clear winner for merging the modes of an agent run. */
interface ScopeAnswer {
  lead: string;
  mode: string;
  winner?: { label: string; figures: string };
  sentences: string[];
}

/** `For these I/O tools`, `For these CPU-bound tools, per run of weather-stock-news,`. */
function lead(results: ResultsDocument, cell: CellResult): string {
  const run = perRun(results);
  return `For these ${cell.kind === 'cpu' ? 'CPU-bound' : 'I/O'} tools${run ? `,${run},` : ''}`;
}

/** `limited(4)`, or with several limits `limited(k)` and the list of k (built-in specs are `name(k)`). */
function named(entries: readonly Entry[]): { name: string; k: string } {
  const first = entries[0] as Entry;
  if (entries.length === 1) return { name: first.label, k: String(first.cell.limit) };
  return { name: `${first.cell.strategy}(k)`, k: `k = ${entries.map((e) => e.cell.limit).join(', ')}` };
}

/** `k× (k = 2, 4, 8)`, or `4×` for one limit. */
const cap = (family: { k: string }): string => (family.k.startsWith('k =') ? `k× (${family.k})` : `${family.k}×`);

/** Entries grouped by what `key` says, in first-seen order. */
function groupBy(entries: readonly Entry[], key: (e: Entry) => string): Entry[][] {
  const groups = new Map<string, Entry[]>();
  for (const e of entries) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  return [...groups.values()];
}

/** The fastest strategy when it is ahead of every other and of sequential, or that none is ahead of sequential. */
function fastest(
  entries: readonly Entry[],
  calls: number,
  against = 'sequential',
): { text: string; figures?: string; best?: Entry } {
  const best = entries.reduce((a, b) => (b.speedup.value > a.speedup.value ? b : a));
  const others = entries.filter((e) => e !== best);
  const figures = `${times(best.speedup.value)}${Number.isFinite(best.ideal) ? ` of an ideal ${times(best.ideal)}` : ''}`;
  if (ahead(best.speedup, ONE) && others.every((o) => ahead(best.speedup, o.speedup))) {
    const text =
      others.length === 0
        ? `${best.label} runs ${callsLabel(calls)} ${times(best.speedup.value)} faster than ${against}${Number.isFinite(best.ideal) ? ` (ideal ${times(best.ideal)})` : ''}`
        : `${best.label} is fastest at ${callsLabel(calls)}: ${figures}`;
    return { text, figures, best };
  }
  if (entries.every((e) => !ahead(e.speedup, ONE))) {
    const why = entries.every((e) => e.speedup.low <= 1)
      ? 'every 95% interval reaches 1x or lower'
      : `none gains ${TOLERANCE * 100}% with its interval above 1x`;
    return { text: `no strategy is measurably faster than ${against} at ${callsLabel(calls)} (${why})` };
  }
  return { text: '' }; // the best's interval meets the next one's: no winner
}

/** Strategies whose schedule allows no gain here: an ideal of 1x at more than one call. */
function noGain(entries: readonly Entry[], calls: number): string[] {
  const flat = entries.filter((e) => calls > 1 && Math.abs(e.ideal - 1) < 1e-9);
  if (flat.length === 0) return [];
  return [
    `${list(flat.map((e) => e.label))} ${flat.length > 1 ? 'have' : 'has'} an ideal of 1.00x: calls cannot overlap`,
  ];
}

/** Limits that bind at this call count: those that reach their ideal, and those measurably short of it. */
function caps(entries: readonly Entry[], calls: number): string[] {
  // (an ideal of 1x is said by noGain)
  const bound = entries.filter(
    (e) => e.cell.limit !== undefined && e.cell.limit < calls && Number.isFinite(e.ideal) && e.ideal > 1 + 1e-9,
  );
  const reached = bound.filter((e) => e.speedup.low >= REACHES * e.ideal);
  const parts: string[] = [];
  const families = groupBy(reached, (e) => e.cell.strategy);
  const atK = (e: Entry) => Math.abs(e.ideal - (e.cell.limit as number)) < 1e-9;
  const capped = families.filter((f) => f.every(atK)).map(named);
  if (capped.length > 1 && capped.every((f) => f.k === capped[0]?.k)) {
    // the same limits in every strategy: one phrase for all
    parts.push(
      `${list(capped.map((f) => f.name))} reach their cap of ${cap(capped[0] as { name: string; k: string })}`,
    );
  } else if (capped.length > 0) {
    parts.push(capped.map((f, i) => `${f.name} ${i === 0 ? 'reaches its' : 'its'} cap of ${cap(f)}`).join(', '));
  }
  const others = families.filter((f) => !f.every(atK)).flat();
  if (others.length > 0) {
    const each = others.map((e) => `${e.label} ${times(e.speedup.value)} of ${times(e.ideal)}`);
    parts.push(`${list(each)} ${others.length > 1 ? 'reach their ideals' : 'reaches its ideal'}`);
  }
  for (const e of bound.filter((b) => b.speedup.high < REACHES * b.ideal)) {
    parts.push(`${e.label} falls short of its ideal ${times(e.ideal)} at ${times(e.speedup.value)}`);
  }
  return parts;
}

/**
 * Strategies that pay a start-up (a worker pool) against the fastest one with the same limit and none: faster,
 * slower, or neither (the tolerance), and what the start-up cost.
 */
function pools(entries: readonly Entry[]): string[] {
  const pairs = entries.flatMap((pooled) => {
    if (pooled.startupMs === undefined || pooled.cell.limit === undefined) return [];
    const peers = entries.filter((e) => e.startupMs === undefined && e.cell.limit === pooled.cell.limit);
    if (peers.length === 0) return [];
    const peer = peers.reduce((a, b) => (b.speedup.value > a.speedup.value ? b : a));
    const verdict = ahead(pooled.speedup, peer.speedup)
      ? 'faster than'
      : ahead(peer.speedup, pooled.speedup)
        ? 'slower than'
        : 'no faster than';
    return [{ pooled, peer, verdict }];
  });
  const groups = new Map<string, typeof pairs>();
  for (const pair of pairs) {
    const key = `${pair.pooled.cell.strategy}\n${pair.verdict}\n${pair.peer.cell.strategy}`;
    groups.set(key, [...(groups.get(key) ?? []), pair]);
  }
  return [...groups.values()].map((group) => {
    const pooled = named(group.map((p) => p.pooled));
    const peer = named(group.map((p) => p.peer));
    const ms = group.map((p) => p.pooled.startupMs as number);
    const [low, high] = [formatMs(Math.min(...ms)), formatMs(Math.max(...ms))];
    const k = pooled.k.startsWith('k =') ? ` (${pooled.k})` : '';
    const verdict = (group[0] as (typeof pairs)[number]).verdict;
    return `${pooled.name} is ${verdict} ${peer.name}${k} and pays ${low === high ? low : `${low}–${high}`} ms of start-up`;
  });
}

const sentence = (text: string): string => `${text}.`;

/** What one kind (and agent mode) says, at its largest call count that has a sequential reference. */
function scopeAnswer(results: ResultsDocument, own: readonly CellResult[]): ScopeAnswer | undefined {
  const calls = Math.max(...own.filter((c) => reference(own, c)).map((c) => c.calls));
  const at = own.filter((c) => c.calls === calls);
  const first = at[0];
  if (!first) return undefined; // no sequential reference
  const entries: Entry[] = at
    .filter((c): c is CellOk => c.status === 'ok' && !isReference(c) && Number.isFinite(c.speedup?.value))
    .map((cell) => {
      // a pool starts once per series, before its first cell
      const startupMs = own.find(
        (c): c is CellOk => c.status === 'ok' && c.executor === cell.executor && c.poolStartupMs !== undefined,
      )?.poolStartupMs;
      return {
        cell,
        label: executorLabel(cell),
        speedup: cell.speedup as Estimate,
        ideal: idealSpeedup(own, cell),
        ...(startupMs === undefined ? {} : { startupMs }),
      };
    });
  if (entries.length === 0) return undefined;
  const mode =
    first.api && first.dispatch && results.config.agent?.modes
      ? formatMode({ api: first.api, dispatch: first.dispatch })
      : '';
  const ok = at.filter((c): c is CellOk => c.status === 'ok');
  const failed = ok.reduce((sum, c) => sum + c.outcomes.error + c.outcomes.timeout + c.outcomes.cancelled, 0);
  const total = ok.reduce((sum, c) => sum + c.outcomes.ok, failed);
  if (failed > 0) {
    // a failed call can end early and flatter its strategy: nothing is ranked
    const share = ((100 * failed) / total).toFixed(0);
    const text = `${lead(results, first)} ${failed} of the ${total} calls measured at ${callsLabel(calls)} failed or timed out (${share}%): a failed call can end early, so no strategy is ranked`;
    return { lead: lead(results, first), mode, sentences: [sentence(text)] };
  }
  // a strategy that could not be measured might have won: no verdict on the fastest then
  const verdict = at.every((c) => c.status === 'ok')
    ? fastest(entries, calls, referenceName(results.config))
    : { text: '' };
  const claims = [verdict.text, ...noGain(entries, calls)].filter(Boolean);
  const opening = claims.length > 0 ? `${lead(results, first)} ${claims.join('; ')}` : '';
  const second = [...caps(entries, calls), ...pools(entries)].join('; ');
  return {
    lead: lead(results, first),
    mode,
    ...(verdict.best && verdict.figures ? { winner: { label: verdict.best.label, figures: verdict.figures } } : {}),
    sentences: [opening, second].filter(Boolean).map(sentence),
  };
}

/**
 * A run's answer as sentences, none when its figures support no claim. Per kind (and agent mode), at the largest
 * call count with a sequential reference: the fastest strategy with its speedup and ideal when it is ahead of every
 * other (intervals apart, by more than the gate's tolerance), or that none is ahead of sequential; strategies whose
 * ideal is 1x; limits that reach their ideal or fall short; pools against the same limit without one, and their
 * start-up. Failed calls at that count leave only a sentence saying so. An agent run over several modes says which
 * strategy wins in which modes.
 */
export function answer(results: ResultsDocument): string[] {
  if (results.config.reference === false) return [];
  const scopes = new Map<string, CellResult[]>();
  for (const cell of results.cells) {
    const key = `${cell.kind}\n${cell.api ?? ''}\n${cell.dispatch ?? ''}`;
    scopes.set(key, [...(scopes.get(key) ?? []), cell]);
  }
  const answers = [...scopes.values()].flatMap((own) => scopeAnswer(results, own) ?? []);
  if (!answers.some((a) => a.mode)) return answers.flatMap((a) => a.sentences);
  const winners = new Map<string, string[]>();
  for (const a of answers) {
    if (!a.winner) continue;
    const key = `${a.lead} ${a.winner.label}`;
    winners.set(key, [...(winners.get(key) ?? []), `${a.mode} (${a.winner.figures})`]);
  }
  return [...winners].map(([who, modes]) =>
    sentence(`${who} is fastest in ${modes.length} of the ${answers.length} modes: ${list(modes)}`),
  );
}
