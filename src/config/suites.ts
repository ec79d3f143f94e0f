import { DEFAULT_SUITE, SUITES, type SuiteDefinition } from '../../bench/suites.ts';

interface RegisteredSuite {
  definition: SuiteDefinition;
  /** `built-in` or the config file that declared it. */
  source: string;
}

const suites = new Map<string, RegisteredSuite>();

/** Adds a named suite; the built-ins of `bench/suites.ts` are registered the same way. */
export function registerSuite(name: string, definition: SuiteDefinition, source: string): void {
  const existing = suites.get(name);
  if (existing?.definition === definition) return;
  if (existing) throw new Error(`suite \`${name}\` is already defined (${existing.source}); pick another name`);
  suites.set(name, { definition, source });
}

for (const [name, definition] of Object.entries(SUITES)) registerSuite(name, definition, 'built-in');

export function findSuite(name: string): SuiteDefinition | undefined {
  return suites.get(name)?.definition;
}

export function suiteEntries(): [string, RegisteredSuite][] {
  return [...suites.entries()];
}

export function defaultSuite(): SuiteDefinition {
  return SUITES[DEFAULT_SUITE] as SuiteDefinition;
}
