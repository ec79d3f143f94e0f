/** `--profile` and what a run warns about before it starts: recorded latencies, slow references, late timeouts. */

import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import type { Registries } from '../config/registries.ts';
import { parseSpec } from '../executors/registry.ts';
import type { BenchConfig, RecordedProfileRef } from '../results/document.ts';
import { LATENCY_PROFILES, type LatencyProfileName } from '../tools/config.ts';
import { loadProfileCached, looksLikeProfilePath, profileStats } from '../tools/recorded.ts';
import { shownPath } from '../tools/recorded-tools.ts';
import { UsageError } from './errors.ts';
import { formatDuration } from './progress.ts';

/** A recorded profile as a run records it: the path relative to the working directory, digest and per-tool stats. */
export function recordedRef(file: string): RecordedProfileRef {
  const profile = loadProfileCached(file);
  return {
    file: shownPath(file),
    format: profile.format,
    sha256: profile.sha256,
    tools: profileStats(profile),
  };
}

/**
 * `--profile`: a built-in name, or a recorded file (JSON, CSV, OTLP JSON). Without the flag, the suite's recorded
 * file, else the config's.
 */
export function resolveProfile(
  flag: string | undefined,
  base: { profile: LatencyProfileName; recordedFile?: string },
  userConfig: LoadedConfig | undefined,
): { profile: LatencyProfileName; recordedFile?: string } {
  if (flag !== undefined && looksLikeProfilePath(flag)) {
    loadProfileCached(flag); // a missing or malformed file fails here, named as given
    return { profile: base.profile, recordedFile: resolve(flag) };
  }
  if (flag !== undefined && !(LATENCY_PROFILES as readonly string[]).includes(flag)) {
    throw new UsageError(
      `Expected \`--profile\` to be ${LATENCY_PROFILES.join(', ')} or a recorded latency file (.json, .csv), got \`${flag}\``,
    );
  }
  if (flag !== undefined) return { profile: flag as LatencyProfileName };
  const recordedFile = base.recordedFile ?? userConfig?.profileFile;
  return { profile: base.profile, ...(recordedFile ? { recordedFile } : {}) };
}

/**
 * Warnings a run should print before it starts: batch tools that a recorded profile has no samples for; a timeout
 * that cannot fire on time while CPU-bound tools compute on the main thread.
 */
export function profileWarnings(config: BenchConfig, registries: Registries): string[] {
  const warnings: string[] = [];
  const mainThread = config.executors.filter(
    (e) => !registries.executors.definition(parseSpec(e, registries.executors).strategy).offMainThread,
  );
  if (config.policy?.timeoutMs !== undefined && config.kinds.includes('cpu') && mainThread.length > 0) {
    warnings.push(
      `Warning: CPU-bound tools compute on the main thread under ${mainThread.join(', ')}: \`--timeout\` can only end a call after its computation, late`,
    );
  }
  // the reference runs every call one after another: at scale one sample alone can take an hour
  const calls = config.agent ? [] : config.calls;
  const slowest = Math.max(0, ...calls) * config.latencyMs;
  if (config.reference !== false && slowest * config.rounds > REFERENCE_WARN_MS) {
    warnings.push(
      `Warning: \`sequential\` at ${Math.max(...calls)} calls takes ${formatDuration(slowest)} per sample, ${formatDuration(slowest * config.rounds)} over ${config.rounds} rounds; \`--no-reference\` skips it (speedups then read "—")`,
    );
  }
  return [...warnings, ...recordedWarnings(config, registries)];
}

/** Above this much time in the sequential reference alone, a run says how to skip it. */
export const REFERENCE_WARN_MS = 10 * 60_000;

function recordedWarnings(config: BenchConfig, registries: Registries): string[] {
  if (!config.recorded || !config.tools) return [];
  const recorded = config.recorded;
  return config.tools
    .filter(
      (name) => !Object.hasOwn(recorded.tools, name) && registries.tools.named(name).definition.latency === 'simulated',
    )
    .map(
      (name) =>
        `Warning: ${recorded.file} has no samples for tool \`${name}\`; it keeps the nominal ${config.latencyMs} ms (${config.profile})`,
    );
}
