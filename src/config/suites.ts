import { DEFAULT_SUITE, SUITES, type SuiteDefinition } from '../../bench/suites.ts';
import { type Registered, Registry } from '../core/registry.ts';

/** Named suites: the built-ins of `bench/suites.ts`, and those a config declares, registered the same way. */
export class SuiteRegistry {
  readonly #suites = new Registry<SuiteDefinition>('suite');

  /** A registry holding the built-in suites. */
  constructor() {
    for (const [name, definition] of Object.entries(SUITES)) this.register(name, definition, 'built-in');
  }

  register(name: string, definition: SuiteDefinition, source: string): void {
    this.#suites.register(name, definition, source);
  }

  find(name: string): SuiteDefinition | undefined {
    return this.#suites.get(name);
  }

  entries(): [string, Registered<SuiteDefinition>][] {
    return this.#suites.entries();
  }
}

export function defaultSuite(): SuiteDefinition {
  return SUITES[DEFAULT_SUITE] as SuiteDefinition;
}
