/**
 * The rules every executor keeps (the README's `verify` section lists them), checked against any executor.
 * Each rule runs on a fresh executor over its own simulated io tools, under its own deadlines, and reports one
 * line of evidence; an executor that stalls, throws or rejects fails the rule it broke and the check goes on.
 * The rules' checks are in `rules.ts`, what runs them in `harness.ts`.
 */
import { errorMessage } from '../core/errors.ts';
import { type Context, type ExecutorFactory, oneLine, RuleSkipped } from './harness.ts';
import { RULE_TABLE } from './rules.ts';

export interface VerifyOptions {
  /** Declared limit on calls in flight (limited(k): k; sequential: 1); undefined = no limit to check. */
  limit?: number;
  /** Latency of the simulated tools in the checks. @default 20 */
  latencyMs?: number;
  /** Calls per batch. @default 6 */
  calls?: number;
}

export interface RuleResult {
  rule: string;
  /** The executor did not break the rule (true also when the rule did not apply: see `skipped`). */
  passed: boolean;
  /** The rule did not apply (a limit rule without a declared limit): not broken, and not shown either. */
  skipped?: true;
  /** One line with the concrete numbers and ids behind the verdict. */
  evidence: string;
}

/** The rules, in the order they run. */
export const RULES: readonly { rule: string; description: string }[] = RULE_TABLE.map(({ rule, description }) => ({
  rule,
  description,
}));

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  return value;
}

/**
 * Checks every rule against fresh executors from `factory`, one rule after another. Resolves with one result per
 * rule in {@link RULES} order; rejects only for invalid options, never for what the executor does.
 */
export async function verifyExecutor(factory: ExecutorFactory, options: VerifyOptions = {}): Promise<RuleResult[]> {
  const latencyMs = options.latencyMs ?? 20;
  if (!(latencyMs > 0 && Number.isFinite(latencyMs))) throw new RangeError(`latencyMs must be > 0, got ${latencyMs}`);
  const context: Context = {
    factory,
    limit: options.limit === undefined ? undefined : positiveInteger('limit', options.limit),
    latencyMs,
    calls: positiveInteger('calls', options.calls ?? 6),
    closeStalled: false,
  };
  const results: RuleResult[] = [];
  for (const { rule, check } of RULE_TABLE) {
    try {
      results.push({ rule, passed: true, evidence: oneLine(await check(context)) });
    } catch (error) {
      if (error instanceof RuleSkipped) results.push({ rule, passed: true, skipped: true, evidence: error.message });
      else results.push({ rule, passed: false, evidence: oneLine(errorMessage(error)) });
    }
  }
  return results;
}
