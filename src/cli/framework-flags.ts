/** Framework specs in flags and suites: parsed, found installed, and checked against the rest of the run. */

import { hostsFrameworks } from '../agent/types.ts';
import type { Registries } from '../config/registries.ts';
import { errorMessage } from '../core/errors.ts';
import { parseSpec } from '../executors/registry.ts';
import { type FrameworkSpec, parseFrameworkSpec, resolveFramework } from '../frameworks/registry.ts';
import { type BenchConfig, runModes } from '../results/document.ts';
import { UsageError } from './errors.ts';
import type { MatrixFlags } from './matrix-flags.ts';

/**
 * A list of framework specs (`--frameworks`, a suite's, `probe --frameworks`, `gate --with`): each a registered
 * framework, optionally `@alias`, found installed — checked here, before anything is measured. Repeats collapse.
 */
export function parseFrameworkList(text: string, where: string, registries: Registries): FrameworkSpec[] {
  const texts = [...new Set(text.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (texts.length === 0) throw new UsageError(`Expected framework names in ${where}, e.g. ai-sdk,openai-agents`);
  return texts.map((spec) => {
    try {
      const parsed = parseFrameworkSpec(spec, registries.frameworks);
      resolveFramework(parsed, undefined, undefined, registries.frameworks);
      return parsed;
    } catch (error) {
      throw new UsageError(`${errorMessage(error)} (in ${where})`);
    }
  });
}

/** Frameworks run our loop's reference on Chat Completions; our loop's own fail-fast has no say over theirs. */
export function checkFrameworkConfig(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (!config.frameworks || !config.agent) return;
  if (!runModes(config.agent).some(hostsFrameworks)) {
    throw new UsageError(
      'Frameworks are measured on Chat Completions (ai-sdk-stream streams it), against our loop on the same API; add `chat` to `--api`',
    );
  }
  if (config.policy?.errorPolicy === 'fail-fast') {
    throw new UsageError(
      "`--error-policy fail-fast` is our loop's; a framework decides itself what a failed call does (see `fanout-bench probe`); drop it",
    );
  }
  for (const name of config.frameworks) {
    if (config.executors.some((e) => e === name || parseSpec(e, registries.executors).strategy === name)) {
      throw new UsageError(
        `\`${name}\` names both an executor and a framework; rename the one in your config (${flags.config ?? 'fanout.config'})`,
      );
    }
  }
}
