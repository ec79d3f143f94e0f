import { basename } from 'node:path';

/** `--scenario fanout`: the generated family, one `fanout-N` scenario per `--calls` value. */
export const FANOUT_FAMILY = 'fanout';

/** A scenario named by a path (anything with a slash or ending in `.json`) rather than by name. */
export const isScenarioPath = (nameOrPath: string): boolean =>
  nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');

/** How tables and progress name a scenario: one given as a path by its file's base name (`my-flow.json`). */
export function scenarioLabel(nameOrPath: string): string {
  return isScenarioPath(nameOrPath) ? basename(nameOrPath.replaceAll('\\', '/')) : nameOrPath;
}
