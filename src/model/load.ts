import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RANGES } from '../core/ranges.ts';
import { fixturesDir, jsonNames, packagePath } from '../tools/paths.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { BFCL_DEFAULT_TURNS, BFCL_MAX_TURNS, BFCL_NAME, type BfclCategory, bfclScenario } from './bfcl.ts';
import { parseScenario, type Scenario, ScenarioError, validateScenario } from './scenario.ts';
import { isScenarioPath } from './scenario-names.ts';

export const scenariosDir = join(fixturesDir, 'scenarios');

/** Model latency of generated `fanout-N` scenarios unless given. */
export const FANOUT_MODEL_LATENCY_MS = 20;

/** Cities the generated fan-out asks about; the first ones have weather in the catalog. */
export const FANOUT_CITIES = [
  'Beijing',
  'LA',
  'Tokyo',
  'London',
  'San Francisco',
  'New York',
  'Paris',
  'Sydney',
  'Berlin',
  'Toronto',
  'Singapore',
  'Mumbai',
  'Cairo',
  'Madrid',
  'Seoul',
  'Mexico City',
] as const;

const FANOUT_NAME = /^fanout-(\d+)$/;

/** One turn of `n` parallel get_weather calls over {@link FANOUT_CITIES} (repeating past 16), then an answer. */
export function fanoutScenario(n: number, modelLatencyMs: number = FANOUT_MODEL_LATENCY_MS): Scenario {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected the fan-out to be a whole number >= 1, got ${n}`);
  const cities = Array.from({ length: n }, (_, i) => FANOUT_CITIES[i % FANOUT_CITIES.length] ?? 'Beijing');
  return validateScenario(
    {
      name: `fanout-${n}`,
      description: `One turn of ${n} parallel get_weather calls, then an answer.`,
      question: `What is the weather in ${cities.join(', ')}?`,
      modelLatencyMs,
      turns: [
        { calls: cities.map((city) => ({ name: 'get_weather', arguments: { city } })) },
        { answer: `Here is the weather in ${n} cities.` },
      ],
    },
    `fanout-${n}`,
  );
}

/** Names of the scenario files in `fixtures/scenarios`, sorted (generated `fanout-N` not included). */
export function listScenarios(): string[] {
  return jsonNames(scenariosDir);
}

/**
 * Loads a scenario: `fanout-N` and `bfcl-parallel[-multiple][-N]` are generated, a bare name reads `fixtures/scenarios/NAME.json`,
 * anything with a slash or ending in `.json` is read as a path.
 */
export function loadScenario(nameOrPath: string, tools: ToolRegistry = new ToolRegistry()): Scenario {
  const fanout = FANOUT_NAME.exec(nameOrPath);
  if (fanout) {
    const n = Number(fanout[1]);
    if (!Number.isSafeInteger(n) || n < 1 || n > RANGES.calls[1]) {
      throw new ScenarioError(nameOrPath, '', `fanout-N takes N from 1 to ${RANGES.calls[1]}, got ${fanout[1]}`);
    }
    return fanoutScenario(n);
  }
  const bfcl = BFCL_NAME.exec(nameOrPath);
  if (bfcl) {
    const turns = bfcl[2] === undefined ? BFCL_DEFAULT_TURNS : Number(bfcl[2]);
    if (!Number.isSafeInteger(turns) || turns < 1 || turns > BFCL_MAX_TURNS) {
      throw new ScenarioError(nameOrPath, '', `bfcl-…-N takes N turns from 1 to ${BFCL_MAX_TURNS}, got ${bfcl[2]}`);
    }
    return bfclScenario(bfcl[1] as BfclCategory, turns, FANOUT_MODEL_LATENCY_MS, tools);
  }
  const isPath = isScenarioPath(nameOrPath);
  const path = isPath ? resolve(nameOrPath) : join(scenariosDir, `${nameOrPath}.json`);
  const shown = packagePath(path);
  if (!existsSync(path)) {
    if (isPath) throw new ScenarioError(shown, '', 'file not found');
    const known = [...listScenarios(), 'fanout-N', 'bfcl-parallel', 'bfcl-parallel-multiple'].join(', ');
    throw new ScenarioError(shown, '', `unknown scenario "${nameOrPath}" (known: ${known})`);
  }
  return parseScenario(readFileSync(path, 'utf8'), shown, tools);
}

export { FANOUT_FAMILY, scenarioLabel } from './scenario-names.ts';
