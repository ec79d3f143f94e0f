import { z } from 'zod';
import { API_MODES, DISPATCH_MODES } from '../agent/types.ts';
import { WORKLOAD_KINDS } from '../tools/config.ts';
import { READABLE_VERSIONS, SCHEMA_VERSION } from './document.ts';
import { pathText, runSettingsSchema } from './settings.ts';

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
const estimate = z.object({ value: computed, low: computed, high: computed });

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
  config: runSettingsSchema,
  environment: z.looseObject({ node: z.string(), cpuModel: z.string(), cores: z.number().int().min(1) }),
  setup: z.looseObject({}),
  cells: z.array(
    z.preprocess(
      (cell) => (cell !== null && typeof cell === 'object' ? liftAgentOverhead(cell as Record<string, unknown>) : cell),
      z.discriminatedUnion('status', [cellOk, cellError]),
    ),
  ),
});

/** Checks a parsed JSON value; the first problem as one line (`cells[3].speedup is missing`), or the document. */
export function checkResults(data: unknown): { ok: true; value: unknown } | { ok: false; problem: string } {
  const result = resultsSchema.safeParse(data, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, problem: 'it does not have the shape of one' };
  const where = pathText(issue.path) || 'the document';
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type' && input === undefined) return { ok: false, problem: `${where} is missing` };
  // the settings' own messages say what they got
  const said = issue.code === 'custom' || issue.message.includes(', got ');
  const got = input === undefined || said ? '' : ` (got ${JSON.stringify(input)?.slice(0, 40) ?? String(input)})`;
  return { ok: false, problem: `${where}: ${issue.message}${got}` };
}
