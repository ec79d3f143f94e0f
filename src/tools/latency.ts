import type { FaultConfig, LatencyProfileName, ToolRuntimeConfig } from './config.ts';
import { keyedRandom } from './random.ts';
import { drawRecorded, loadProfileCached } from './recorded.ts';

/** Half-width of the `uniform` profile, as a share of the nominal latency. */
export const UNIFORM_JITTER = 0.5;
/** Share of calls that straggle in the `long-tail` profile. */
export const LONG_TAIL_SHARE = 0.1;
/** Range of a straggler's latency, as multiples of the nominal latency. */
export const LONG_TAIL_FACTOR: readonly [number, number] = [3, 6];

export const PROFILE_DESCRIPTIONS: Record<LatencyProfileName, string> = {
  fixed: 'every call takes exactly the nominal latency',
  uniform: `uniform in nominal × [${1 - UNIFORM_JITTER}, ${1 + UNIFORM_JITTER}]`,
  'long-tail': `${(1 - LONG_TAIL_SHARE) * 100}% of calls in nominal × [0.8, 1.2], ${LONG_TAIL_SHARE * 100}% stragglers in nominal × [${LONG_TAIL_FACTOR[0]}, ${LONG_TAIL_FACTOR[1]}]`,
};

export type FaultKind = 'none' | 'fail' | 'hang' | 'crash';

/** What a call will do: drawn from the seed and the call id alone, so any thread draws the same. */
export interface CallPlan {
  latencyMs: number;
  fault: FaultKind;
}

function drawLatency(profile: LatencyProfileName, nominal: number, random: () => number): number {
  switch (profile) {
    case 'fixed':
      return nominal;
    case 'uniform':
      return nominal * (1 - UNIFORM_JITTER + 2 * UNIFORM_JITTER * random());
    case 'long-tail': {
      const straggler = random() < LONG_TAIL_SHARE;
      const u = random();
      const [lo, hi] = straggler ? LONG_TAIL_FACTOR : [0.8, 1.2];
      return nominal * (lo + (hi - lo) * u);
    }
  }
}

function drawFault(faults: FaultConfig, random: () => number): FaultKind {
  const u = random();
  if (u < faults.failRate) return 'fail';
  if (u < faults.failRate + faults.hangRate) return 'hang';
  if (u < faults.failRate + faults.hangRate + faults.crashRate) return 'crash';
  return 'none';
}

/** Ids of the untimed warm-up calls a run makes before measuring start with this. */
export const WARM_UP_PREFIX = 'warm-up';
/** A warm-up call takes this long and never faults: the success path warms up (timer included) at little cost. */
export const WARM_UP_LATENCY_MS = 1;

/**
 * A call's latency and fault, from the seed and the call id alone (a warm-up call: {@link WARM_UP_LATENCY_MS}, no
 * fault). A tool with samples in the recorded profile
 * resamples them (seeded by the id); every other tool draws from the named profile around the nominal latency.
 */
export function planCall(config: ToolRuntimeConfig, callId: string, toolName?: string): CallPlan {
  if (callId.startsWith(WARM_UP_PREFIX)) return { latencyMs: WARM_UP_LATENCY_MS, fault: 'none' };
  const exact = config.latencyByCall;
  if (exact && Object.hasOwn(exact, callId)) return { latencyMs: exact[callId] as number, fault: 'none' };
  const random = keyedRandom(config.seed, callId);
  const drawn = drawLatency(config.profile, config.latencyMs, random);
  const fault = drawFault(config.faults, random);
  const recorded = config.recordedFile === undefined ? undefined : loadProfileCached(config.recordedFile).samples;
  const samples =
    recorded && toolName !== undefined && Object.hasOwn(recorded, toolName) ? recorded[toolName] : undefined;
  return { latencyMs: samples?.length ? drawRecorded(samples, config.seed, callId) : drawn, fault };
}
