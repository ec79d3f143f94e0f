/**
 * Conversations shaped like the Berkeley Function Calling Leaderboard v4's parallel categories: how many calls a
 * model is asked to make in one turn, in the proportions of its entries. `parallel` (one tool per entry): 2 calls
 * in 109 of 200 entries, 3 in 52, 4 in 36, 6 in 1, 8 in 2. `parallel_multiple` (2–4 distinct tools per entry): 2
 * in 64, 3 in 66, 4 in 69, 5 in 1. A generated scenario plays N turns whose call counts follow the distribution
 * (largest-remainder apportionment; the order shuffled with a fixed seed), then answers: `bfcl-parallel` and
 * `bfcl-parallel-multiple` (40 turns), or `bfcl-parallel-200` for the whole 200-entry shape.
 */
import { keyedRandom } from '../tools/random.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { type Scenario, validateScenario } from './scenario.ts';

/** Entries per call count, as counted in BFCL v4's `parallel` and `parallel_multiple` test categories. */
export const BFCL_DISTRIBUTIONS = {
  parallel: { 2: 109, 3: 52, 4: 36, 6: 1, 8: 2 },
  'parallel-multiple': { 2: 64, 3: 66, 4: 69, 5: 1 },
} as const satisfies Record<string, Record<number, number>>;

export type BfclCategory = keyof typeof BFCL_DISTRIBUTIONS;

/** Turns of `bfcl-parallel` and `bfcl-parallel-multiple` without a count. */
export const BFCL_DEFAULT_TURNS = 40;
/** Most turns a generated BFCL conversation may have. */
export const BFCL_MAX_TURNS = 1000;

export const BFCL_NAME = /^bfcl-(parallel|parallel-multiple)(?:-(\d+))?$/;

/** The read-only built-ins the turns call, with arguments to rotate through (no call has side effects). */
const TOOLS: Record<string, Record<string, string>[]> = {
  get_weather: ['Tokyo', 'Beijing', 'LA', 'London', 'Paris', 'Berlin', 'Sydney', 'Toronto'].map((city) => ({ city })),
  get_stock_price: ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'NVDA', 'META', 'TSLA', 'NFLX'].map((ticker) => ({ ticker })),
  get_news_headlines: ['AI', 'climate', 'markets', 'science', 'health', 'sports', 'travel', 'music'].map((topic) => ({
    topic,
  })),
  get_exchange_rate: ['JPY', 'EUR', 'GBP', 'CNY', 'CAD', 'AUD', 'CHF', 'INR'].map((to) => ({
    from_currency: 'USD',
    to_currency: to,
  })),
};
const TOOL_NAMES = Object.keys(TOOLS);

/** `turns` turns split over call counts in proportion to `weights` (largest remainder; ties to the smaller count). */
export function apportion(weights: Readonly<Record<number, number>>, turns: number): number[] {
  const entries = Object.entries(weights).map(([calls, weight]) => ({ calls: Number(calls), weight }));
  const total = entries.reduce((sum, e) => sum + e.weight, 0);
  const shares = entries.map((e) => ({ ...e, exact: (turns * e.weight) / total }));
  const counts = new Map(shares.map((s) => [s.calls, Math.floor(s.exact)]));
  let left = turns - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const s of [...shares].sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)))) {
    if (left-- <= 0) break;
    counts.set(s.calls, (counts.get(s.calls) ?? 0) + 1);
  }
  return shares.flatMap((s) => new Array<number>(counts.get(s.calls) ?? 0).fill(s.calls));
}

/** Distinct tools of a `parallel_multiple` turn of `calls` calls: 2 to 4, varying with the turn. */
function distinctTools(calls: number, turn: number): number {
  return Math.min(calls, TOOL_NAMES.length, 2 + (turn % 3));
}

/** A BFCL-shaped conversation: `turns` turns of parallel calls, then an answer. */
export function bfclScenario(
  category: BfclCategory,
  turns: number = BFCL_DEFAULT_TURNS,
  modelLatencyMs = 20,
  tools?: ToolRegistry,
): Scenario {
  const sizes = apportion(BFCL_DISTRIBUTIONS[category], turns);
  const random = keyedRandom(0, `bfcl-${category}-${turns}`);
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j] as number, sizes[i] as number];
  }
  let used = 0;
  const turnCalls = sizes.map((calls, turn) => {
    const names =
      category === 'parallel'
        ? [TOOL_NAMES[turn % TOOL_NAMES.length] as string]
        : Array.from({ length: distinctTools(calls, turn) }, (_, k) => TOOL_NAMES[(turn + k) % TOOL_NAMES.length]);
    return {
      calls: Array.from({ length: calls }, (_, c) => {
        const name = names[c % names.length] as string;
        const options = TOOLS[name] as Record<string, string>[];
        return { name, arguments: options[used++ % options.length] };
      }),
    };
  });
  const name = turns === BFCL_DEFAULT_TURNS ? `bfcl-${category}` : `bfcl-${category}-${turns}`;
  const calls = sizes.reduce((a, b) => a + b, 0);
  return validateScenario(
    {
      name,
      description: `${turns} turns of parallel calls shaped like BFCL v4's ${category.replace('-', '_')} category (${calls} calls), then an answer.`,
      question: `A conversation shaped like BFCL v4 ${category.replace('-', '_')}: ${turns} turns of parallel tool calls.`,
      modelLatencyMs,
      turns: [...turnCalls, { answer: `Answered ${calls} calls over ${turns} turns.` }],
    },
    name,
    tools,
  );
}
