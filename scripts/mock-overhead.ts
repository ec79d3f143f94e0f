/**
 * Measures what the mocked model costs per turn with no scripted delay: openai SDK + msw, per API mode.
 * Usage: npx tsx scripts/mock-overhead.ts [turns=300]
 */
import { AgentSession } from '../src/agent/session.ts';
import { API_MODES } from '../src/agent/types.ts';
import { fanoutScenario } from '../src/model/load.ts';
import { quantileSorted } from '../src/stats/summary.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';

const turns = Number(process.argv[2] ?? 300);
for (const api of API_MODES) {
  const session = await AgentSession.start({
    target: { kind: 'mock', scenario: fanoutScenario(1, 0), modelLatencyMs: 0 },
    executor: { strategy: 'promise-all' },
    tools: toolRuntimeConfig({ latencyMs: 0 }),
    api,
  });
  for (let i = 0; i < 20; i++) await session.run(); // warm the SDK, msw and the JIT
  const perTurn: number[] = [];
  while (perTurn.length < turns) {
    const run = await session.run();
    for (const step of run.steps) perTurn.push(step.modelMs);
  }
  await session.close();
  perTurn.sort((a, b) => a - b);
  const q = (p: number) => quantileSorted(perTurn, p).toFixed(3);
  console.log(
    `${api.padEnd(12)} per model turn: median ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms (${perTurn.length} turns)`,
  );
}
