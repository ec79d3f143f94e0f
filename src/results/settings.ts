import { z } from 'zod';
import { API_MODES, DISPATCH_MODES, STREAMED_APIS } from '../agent/types.ts';
import { RANGES } from '../core/ranges.ts';
import { ERROR_POLICIES } from '../executors/policy.ts';
import { formatPlanMode, PLAN_MODE_EXAMPLES, parsePlanMode } from '../model/plan-scenarios.ts';
import { LATENCY_PROFILES, WORKLOAD_KINDS } from '../tools/config.ts';
import { looksLikeProfilePath } from '../tools/recorded.ts';

/**
 * The settings of a run, as one schema: a config's suites (every field optional, unknown fields refused), a results
 * document's `config` (the run's settings, all present) and the configuration flags resolve to (checked before
 * anything runs) are the same fields with the same ranges and messages.
 */

/** A value as a message shows it. */
export const show = (v: unknown): string => (typeof v === 'function' ? 'a function' : (JSON.stringify(v) ?? String(v)));

const inRange = ([min, max]: readonly [number, number], whole = false) =>
  z.custom<number>(
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!whole || Number.isInteger(v)),
    {
      error: (issue) =>
        `must be a ${whole ? 'whole number' : 'number'} from ${min} to ${max}, got ${show(issue.input)}`,
    },
  );

const listOf = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: (issue) => `must be an array, got ${show(issue.input)}` });

const oneOf = <T extends string>(values: readonly T[], what = `one of ${values.join(', ')}`) =>
  z.custom<T>((v) => (values as readonly unknown[]).includes(v), {
    error: (issue) => `must be ${what}, got ${show(issue.input)}`,
  });

const names = listOf(
  z.custom<string>((v) => typeof v === 'string' && v !== '', {
    error: (issue) => `must be a non-empty string, got ${show(issue.input)}`,
  }),
);

/** An object with these fields; any other field is refused naming the ones expected. */
function fields<T extends z.ZodRawShape>(shape: T, what: string) {
  const keys = Object.keys(shape);
  return z
    .looseObject(shape, { error: (issue) => `must be ${what}, got ${show(issue.input)}` })
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!keys.includes(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown field (expected ${keys.join(', ')})` });
        }
      }
    });
}

const apiMode = oneOf(API_MODES);
const dispatchMode = oneOf(DISPATCH_MODES);

const MODES_EXAMPLE = "like [{ api: 'chat', dispatch: 'after-stream' }, { api: 'messages-stream', dispatch: 'early' }]";

const modes = z
  .array(fields({ api: apiMode, dispatch: dispatchMode }, `a mode ${MODES_EXAMPLE}`), {
    error: () => `must be a list of modes ${MODES_EXAMPLE}`,
  })
  .min(1, `must be a list of modes ${MODES_EXAMPLE}`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [index, { api, dispatch }] of list.entries()) {
      if (dispatch === 'early' && !STREAMED_APIS.includes(api)) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `early dispatch applies to streamed APIs (${STREAMED_APIS.join(', ')}), not ${api}`,
        });
      }
      if (seen.has(`${api}/${dispatch}`)) {
        ctx.addIssue({ code: 'custom', path: [index], message: `repeats ${api} ${dispatch}; list each mode once` });
      }
      seen.add(`${api}/${dispatch}`);
    }
  });

const agent = fields(
  {
    scenario: z.custom<string>((v) => typeof v === 'string' && v !== '', {
      error: () => 'required: a scenario name or the path of a scenario file',
    }),
    api: apiMode.optional(),
    dispatch: dispatchMode.optional(),
    plan: z
      .custom<string>((v) => typeof v === 'string' && v !== '', {
        error: () => 'must be a plan preset name or the path of a plan file',
      })
      .optional(),
    planModes: listOf(
      z.custom<string>((v) => typeof v === 'string' && parsePlanMode(v) !== undefined, {
        error: (issue) => `must be plan modes like ${PLAN_MODE_EXAMPLES}, got ${show(issue.input)}`,
      }),
    )
      .min(1, `must name at least one plan mode (${PLAN_MODE_EXAMPLES})`)
      .superRefine((list, ctx) => {
        const names = list.map((text) => {
          const mode = parsePlanMode(text);
          return mode ? formatPlanMode(mode) : text;
        });
        const twice = names.find((name, i) => names.indexOf(name) !== i);
        if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `names ${twice} twice; list each mode once` });
      })
      .optional(),
    planLatencies: z.record(z.string(), inRange(RANGES.latencyMs)).optional(),
    planSha256: z.string().optional(),
    modelLatencyMs: inRange(RANGES.modelLatencyMs).optional(),
    streamChunkDelayMs: inRange(RANGES.streamChunkDelayMs).optional(),
    tokensPerSecond: inRange(RANGES.tokensPerSecond).optional(),
    modelProfile: z
      .looseObject({ file: z.string(), sha256: z.string(), turns: z.number(), p50Ms: z.number() })
      .optional(),
    modes: modes.optional(),
  },
  "an object like { scenario: 'weather-stock-news', api: 'chat' }",
).superRefine((value, ctx) => {
  if (value.modes !== undefined && (value.api !== undefined || value.dispatch !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: '`modes` lists every API and dispatch of the run; drop `api` and `dispatch` beside it',
    });
  }
});

const faultFields = {
  failRate: inRange(RANGES.rate),
  hangRate: inRange(RANGES.rate),
  crashRate: inRange(RANGES.rate),
  rateLimit: inRange(RANGES.rateLimit, true).optional(),
  honorAbort: z.boolean({ error: () => 'must be a boolean' }).optional(),
};
const faults = fields(faultFields, 'an object');

const policyFields = {
  timeoutMs: inRange(RANGES.timeoutMs).optional(),
  retries: inRange(RANGES.retries, true),
  backoffMs: inRange(RANGES.backoffMs),
  errorPolicy: oneOf(ERROR_POLICIES),
};
const policy = fields(policyFields, 'an object');

/** The same fields, each optional: what a suite may leave to the defaults. */
function optional<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

/** Every setting a run has, as a suite, a results document and the flags name it. */
const settings = {
  executors: names,
  calls: listOf(inRange(RANGES.calls, true)).min(1, 'must name at least one call count'),
  limits: listOf(inRange(RANGES.limits, true)),
  kinds: listOf(oneOf(WORKLOAD_KINDS, "'io' or 'cpu'")).min(1, "must name at least one kind: 'io' or 'cpu'"),
  latencyMs: inRange(RANGES.latencyMs),
  seed: inRange(RANGES.seed, true),
  rounds: inRange(RANGES.rounds, true),
  faults,
  policy,
  agent,
  tools: names,
  frameworks: names,
};

/** A suite in a config: any of the settings (faults and policy in part), a description, a profile name or file. */
export const suiteSchema = fields(
  {
    description: z.string({ error: () => 'must be a string' }).optional(),
    ...settings,
    executors: settings.executors.optional(),
    calls: settings.calls.optional(),
    limits: settings.limits.optional(),
    kinds: settings.kinds.optional(),
    latencyMs: settings.latencyMs.optional(),
    seed: settings.seed.optional(),
    rounds: settings.rounds.optional(),
    faults: fields(optional(faultFields), 'an object').optional(),
    policy: fields(optional(policyFields), 'an object').optional(),
    agent: agent.optional(),
    tools: settings.tools.optional(),
    frameworks: settings.frameworks.optional(),
    profile: z
      .custom<string>(
        (p) =>
          typeof p === 'string' && ((LATENCY_PROFILES as readonly string[]).includes(p) || looksLikeProfilePath(p)),
        {
          error: (issue) =>
            `must be ${LATENCY_PROFILES.join(', ')} or a recorded file (.json, .csv), got ${show(issue.input)}`,
        },
      )
      .optional(),
  },
  'an object of settings',
);

/** A run's settings as a results document keeps them: every one present; fields a newer writer adds pass. */
export const runSettingsSchema = z
  .looseObject({
    suite: z.string(),
    ...settings,
    profile: oneOf(LATENCY_PROFILES),
    faults: z.looseObject(faultFields),
    policy: z.looseObject(policyFields).optional(),
    agent: z
      .looseObject({
        ...agent.shape,
        api: apiMode,
        dispatch: dispatchMode,
        modes: z
          .array(z.looseObject({ api: apiMode, dispatch: dispatchMode }))
          .min(1)
          .optional(),
      })
      .optional(),
    tools: names.optional(),
    frameworks: names.optional(),
    reference: z.literal(false).optional(),
    recorded: z
      .looseObject({ file: z.string(), format: z.enum(['json', 'csv', 'otlp']), sha256: z.string() })
      .optional(),
  })
  .superRefine((run, ctx) => {
    // a run measures executors, frameworks or both, or a plan's ways
    if (run.executors.length === 0 && !run.frameworks?.length && !run.agent?.plan) {
      ctx.addIssue({ code: 'custom', path: ['executors'], message: 'must name at least one executor' });
    }
  });

/** `suites.fast.calls[0]`: a zod issue's path under `at`, as messages write it. */
export function pathText(path: readonly PropertyKey[], at = ''): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    at,
  );
}

/** The first problem of `value` against `schema` as a field and a message, or undefined when it fits. */
export function firstProblem(
  schema: z.ZodType,
  value: unknown,
  at = '',
): { field: string; message: string } | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (!issue) return { field: at, message: 'does not have the expected shape' };
  return { field: pathText(issue.path, at), message: issue.message };
}
