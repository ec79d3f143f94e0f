import { installedVersion } from '../core/packages.ts';
import { listScenarios } from '../model/load.ts';
import { listPlans, loadPlan, planDepth } from '../model/plan.ts';
import { formatMs } from '../report/format.ts';
import { LATENCY_PROFILES } from '../tools/config.ts';
import { PROFILE_DESCRIPTIONS } from '../tools/latency.ts';
import { registerPlanTools } from '../tools/plan-tools.ts';
import { loadProfileCached, profileStats } from '../tools/recorded.ts';
import { shownPath } from '../tools/recorded-tools.ts';
import type { CliState } from './state.ts';

const from = (source: string) => (source === 'built-in' ? '' : `  [${source}]`);

/** Strategies, tools, latency profiles, scenarios and suites (built-in and from the config), as plain text. */
export function listText(state: CliState): string {
  const lines: string[] = ['Executors (--executors; k from --limits or written as name(k)):'];
  for (const { definition, source } of state.registries.executors.entries()) {
    const name = definition.takesLimit ? `${definition.name}(k)` : definition.name;
    const ideal = definition.ideal ? '' : ' (no ideal declared: efficiency "—")';
    lines.push(`  ${name.padEnd(16)} ${definition.description}${ideal}${from(source)}`);
  }
  lines.push('', 'Tools (--tools; built-in ones from fixtures/tools.json):');
  for (const { definition, source } of state.registries.tools.entries()) {
    const args = Object.keys(definition.parameters.properties).join(', ');
    const latency = definition.latency === 'simulated' ? '' : ' (own latency)';
    lines.push(`  ${`${definition.name}(${args})`.padEnd(48)} ${definition.description}${latency}${from(source)}`);
  }
  lines.push('', 'Latency profiles (--profile NAME, or --profile FILE with recorded latencies: JSON, CSV, OTLP JSON):');
  for (const profile of LATENCY_PROFILES) lines.push(`  ${profile.padEnd(16)} ${PROFILE_DESCRIPTIONS[profile]}`);
  const profileFile = state.config?.profileFile;
  if (profileFile) {
    lines.push(`  recorded         ${shownPath(profileFile)} (the config's profile, used unless --profile is given)`);
    for (const [tool, s] of Object.entries(profileStats(loadProfileCached(profileFile)))) {
      lines.push(
        `    ${tool.padEnd(28)} ${String(s.count).padStart(6)} samples  p50 ${formatMs(s.p50)}  p90 ${formatMs(s.p90)}  p99 ${formatMs(s.p99)} ms`,
      );
    }
  }
  lines.push(
    '',
    'Frameworks (--frameworks in agent mode, and `probe`; name@1.2.3 or @^6 installs a release, name@alias loads an npm alias):',
  );
  for (const definition of state.registries.frameworks.definitions()) {
    const main = definition.packages[0] as string;
    const version = installedVersion(main, process.cwd()); // the project's own, as bench loads it
    const found = version
      ? `${main} ${version}`
      : `not installed: npm install --save-dev ${definition.packages.join(' ')}`;
    lines.push(`  ${definition.name.padEnd(19)} ${definition.description} [${found}]`);
  }
  lines.push('', 'Scenarios (--scenario; or a path to a JSON file):');
  for (const name of listScenarios()) lines.push(`  ${name}`);
  lines.push('  fanout-N         generated: one turn of N get_weather calls, then an answer');
  lines.push('  fanout           agent mode: fanout-N for every N of --calls (a scale sweep)');
  lines.push(
    "  bfcl-parallel    generated: 40 turns of 2–4 calls to one tool in BFCL v4 parallel's proportions (-200: all 200, 2–8)",
    '  bfcl-parallel-multiple  generated: the same for parallel_multiple, 2–4 distinct tools a turn (-200: 2–5 calls)',
  );
  lines.push('', 'Plans (--plan; or a path to a .txt or .json plan, LLMCompiler form):');
  registerPlanTools(state.registries.tools); // search and math, where the config has no tool of the name
  for (const name of listPlans()) {
    const plan = loadPlan(name, state.registries.tools);
    lines.push(
      `  ${name.padEnd(16)} ${plan.tasks.length} tasks, depth ${Math.max(...planDepth(plan))}: ${plan.description}`,
    );
  }
  lines.push('', 'Suites (--suite):');
  for (const [name, suite] of state.registries.suites.entries())
    lines.push(`  ${name.padEnd(16)} ${suite.value.description}`);
  return `${lines.join('\n')}\n`;
}
