import { z } from 'zod';
import { API_MODES, DISPATCH_MODES } from '../agent/types.ts';
import { RANGES } from '../core/ranges.ts';
import { LATENCY_PROFILES, WORKLOAD_KINDS } from '../tools/config.ts';
import { READABLE_VERSIONS, SCHEMA_VERSION } from './document.ts';

/**
 * The whole shape of a results document, checked on read (the gate and `compare` trust nothing else), with the
 * same ranges as the flags for the configuration the gate measures again. Unknown extra fields pass (newer
 * writers may add some); a value that could not be computed (NaN, written as `null`) reads back as NaN.
 */
const number = z.number();
const computed = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);
const inRange = ([min, max]: readonly [number, number], whole = false) =>
  (whole ? z.number().int() : z.number()).min(min).max(max);
const estimate = z.object({ value: computed, low: computed, high: computed });
const names = (what: string) => z.array(z.string().min(1, `${what} must not be empty`));

const stats = z.object({
  mean: number,
  p50: number,
  p75: number,
  p99: number,
  min: number,
  max: number,
  sd: number,
  rme: computed,
  samples: z.number().int().min(0),
});

const apiMode = z.enum(API_MODES as [string, ...string[]]);
const dispatchMode = z.enum(DISPATCH_MODES as [string, ...string[]]);

const key = {
  id: z.string().min(1),
  kind: z.enum(WORKLOAD_KINDS as [string, ...string[]]),
  calls: z.number().int().min(0),
  executor: z.string().min(1),
  strategy: z.string().min(1),
  limit: z.number().int().min(1).optional(),
  api: apiMode.optional(),
  dispatch: dispatchMode.optional(),
};

const growth = z.object({ exponent: number, points: z.number().int().min(1), superlinear: z.boolean() });

/** Documents written before overhead and growth moved out of `agent` to every cell: read them where they are now. */
function liftAgentOverhead(cell: Record<string, unknown>): Record<string, unknown> {
  const agent = cell.agent as Record<string, unknown> | undefined;
  if (!agent) return cell;
  const lifted = { ...cell };
  for (const field of ['overheadMs', 'overheadPerCallMs', 'growth']) {
    if (lifted[field] === undefined && agent[field] !== undefined) lifted[field] = agent[field];
  }
  return lifted;
}

const cellOk = z.looseObject({
  ...key,
  status: z.literal('ok'),
  stats,
  idealMs: computed.optional(),
  efficiency: estimate.optional(),
  speedup: estimate.optional(),
  overheadMs: estimate.optional(),
  overheadPerCallMs: estimate.optional(),
  growth: growth.optional(),
  roundsMs: z.array(number),
  idealRoundsMs: z.array(computed).optional(),
  outcomes: z.object({
    ok: z.number().int().min(0),
    error: z.number().int().min(0),
    timeout: z.number().int().min(0),
    cancelled: z.number().int().min(0),
  }),
  timeline: z
    .looseObject({
      round: z.number().int().min(0),
      durationMs: number,
      spans: z.array(
        z.discriminatedUnion('kind', [
          z.looseObject({
            kind: z.literal('call'),
            id: z.string(),
            tool: z.string(),
            status: z.enum(['ok', 'error', 'timeout', 'cancelled']),
            startMs: number,
            endMs: number,
            turn: z.number().int().min(1).optional(),
          }),
          z.looseObject({ kind: z.literal('model'), turn: z.number().int().min(1), startMs: number, endMs: number }),
        ]),
      ),
    })
    .optional(),
});

const cellError = z.looseObject({ ...key, status: z.literal('error'), error: z.string() });

const config = z.looseObject({
  suite: z.string(),
  executors: names('an executor name').min(1, 'must name at least one executor'),
  calls: z.array(inRange(RANGES.calls, true)).min(1, 'must hold at least one call count'),
  limits: z.array(inRange(RANGES.limits, true)),
  kinds: z.array(z.enum(WORKLOAD_KINDS as [string, ...string[]])).min(1, "must name 'io' or 'cpu'"),
  latencyMs: inRange(RANGES.latencyMs),
  profile: z.enum(LATENCY_PROFILES as [string, ...string[]]),
  seed: inRange(RANGES.seed, true),
  rounds: inRange(RANGES.rounds, true),
  faults: z.looseObject({
    failRate: inRange(RANGES.rate),
    hangRate: inRange(RANGES.rate),
    crashRate: inRange(RANGES.rate),
    rateLimit: inRange(RANGES.rateLimit, true).optional(),
    honorAbort: z.boolean().optional(),
  }),
  policy: z
    .looseObject({
      timeoutMs: inRange(RANGES.timeoutMs).optional(),
      retries: inRange(RANGES.retries, true),
      backoffMs: inRange(RANGES.backoffMs),
      errorPolicy: z.enum(['as-result', 'fail-fast']),
    })
    .optional(),
  agent: z
    .looseObject({
      scenario: z.string().min(1),
      api: apiMode,
      dispatch: dispatchMode,
      modelLatencyMs: inRange(RANGES.modelLatencyMs).optional(),
      streamChunkDelayMs: inRange(RANGES.streamChunkDelayMs).optional(),
      modes: z
        .array(z.looseObject({ api: apiMode, dispatch: dispatchMode }))
        .min(1)
        .optional(),
    })
    .optional(),
  tools: names('a tool name').optional(),
  frameworks: names('a framework name').optional(),
  reference: z.literal(false).optional(),
  recorded: z.looseObject({ file: z.string(), format: z.enum(['json', 'csv', 'otlp']), sha256: z.string() }).optional(),
});

export const resultsSchema = z.looseObject({
  // version 1 documents (no timelines) read as the current version
  schemaVersion: z
    .number()
    .refine((v) => READABLE_VERSIONS.includes(v))
    .transform(() => SCHEMA_VERSION),
  tool: z.looseObject({ name: z.literal('fanout-bench'), version: z.string() }),
  createdAt: z.string(),
  status: z.enum(['complete', 'partial', 'interrupted']),
  wallTimeMs: number,
  config,
  environment: z.looseObject({ node: z.string(), cpuModel: z.string(), cores: z.number().int().min(1) }),
  setup: z.looseObject({}),
  cells: z.array(
    z.preprocess(
      (cell) => (cell !== null && typeof cell === 'object' ? liftAgentOverhead(cell as Record<string, unknown>) : cell),
      z.discriminatedUnion('status', [cellOk, cellError]),
    ),
  ),
});

/** `cells[3].speedup`: a zod issue path as a reader writes it. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );
}

/** Checks a parsed JSON value; the first problem as one line (`cells[3].speedup is missing`), or the document. */
export function checkResults(data: unknown): { ok: true; value: unknown } | { ok: false; problem: string } {
  const result = resultsSchema.safeParse(data, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, problem: 'it does not have the shape of one' };
  const where = pathText(issue.path) || 'the document';
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type' && input === undefined) return { ok: false, problem: `${where} is missing` };
  const got = input === undefined ? '' : ` (got ${JSON.stringify(input)?.slice(0, 40) ?? String(input)})`;
  return { ok: false, problem: `${where}: ${issue.message}${got}` };
}
