/** Framework specs in flags and suites: parsed, found installed, and checked against the rest of the run. */

import { hostMode } from '../agent/types.ts';
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

/**
 * A framework is measured beside our loop on the API it speaks (its speedup against our `sequential` there), so the
 * run must play that API; our loop's own fail-fast has no say over a framework's.
 */
export function checkFrameworkConfig(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (!config.frameworks || !config.agent) return;
  const modes = runModes(config.agent);
  for (const text of config.frameworks) {
    const { framework } = parseFrameworkSpec(text, registries.frameworks);
    const { api } = registries.frameworks.definition(framework);
    if (!hostMode(api, modes)) {
      const what = api === 'chat-stream' ? 'streams Chat Completions' : 'speaks Chat Completions';
      throw new UsageError(
        `\`${framework}\` ${what} and is measured beside our loop on the same API; add \`${api}\` to \`--api\` (e.g. \`--api ${[...new Set([...modes.map((m) => m.api), api])].join(',')}\`)`,
      );
    }
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
