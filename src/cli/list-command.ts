import { SUITES } from '../../bench/suites.ts';
import { STRATEGIES, STRATEGY_NAMES } from '../executors/registry.ts';
import { listScenarios } from '../model/load.ts';
import { loadCatalog } from '../tools/catalog.ts';
import { LATENCY_PROFILES } from '../tools/config.ts';
import { PROFILE_DESCRIPTIONS } from '../tools/latency.ts';

/** Strategies, tools, latency profiles and suites, as plain text. */
export function listText(): string {
  const lines: string[] = ['Executors (--executors; k from --limits or written as name(k)):'];
  for (const name of STRATEGY_NAMES) {
    const entry = STRATEGIES[name];
    lines.push(`  ${(entry.takesLimit ? `${name}(k)` : name).padEnd(16)} ${entry.description}`);
  }
  lines.push('', 'Tools (fixtures/tools.json):');
  for (const tool of loadCatalog()) {
    const args = Object.keys(tool.parameters.properties).join(', ');
    lines.push(`  ${`${tool.name}(${args})`.padEnd(48)} ${tool.description}`);
  }
  lines.push('', 'Latency profiles (--profile):');
  for (const profile of LATENCY_PROFILES) lines.push(`  ${profile.padEnd(16)} ${PROFILE_DESCRIPTIONS[profile]}`);
  lines.push('', 'Scenarios (--scenario; or a path to a JSON file):');
  for (const name of listScenarios()) lines.push(`  ${name}`);
  lines.push('  fanout-N         generated: one turn of N get_weather calls, then an answer');
  lines.push('', 'Suites (--suite):');
  for (const [name, suite] of Object.entries(SUITES)) lines.push(`  ${name.padEnd(16)} ${suite.description}`);
  return `${lines.join('\n')}\n`;
}
