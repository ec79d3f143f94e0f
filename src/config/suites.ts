import { DEFAULT_SUITE, SUITES, type SuiteDefinition } from '../../bench/suites.ts';
import { type Registered, Registry } from '../core/registry.ts';

const suites = new Registry<SuiteDefinition>('suite');

/** Adds a named suite; the built-ins of `bench/suites.ts` are registered the same way. */
export function registerSuite(name: string, definition: SuiteDefinition, source: string): void {
  suites.register(name, definition, source);
}

for (const [name, definition] of Object.entries(SUITES)) registerSuite(name, definition, 'built-in');

export function findSuite(name: string): SuiteDefinition | undefined {
  return suites.get(name);
}

export function suiteEntries(): [string, Registered<SuiteDefinition>][] {
  return suites.entries();
}

export function defaultSuite(): SuiteDefinition {
  return SUITES[DEFAULT_SUITE] as SuiteDefinition;
}
