import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import type { Email, ParameterSchema, ToolContext, ToolDefinition } from './definition.ts';
import { fixturesDir } from './paths.ts';

export type { Email, ToolContext, ToolDefinition } from './definition.ts';

/** The form the Chat Completions API takes in `tools`. */
export interface ChatFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: ParameterSchema };
}

type Args = Record<string, string>;
type Implementation = (args: Args, context: ToolContext) => unknown;

export const CATALOG_FILE = join(fixturesDir, 'tools.json');
export const MAIL_SENDER = 'weather-bot@example.com';
export const USER_PROFILE = { name: 'Jack', email: 'jack@example.com' } as const;

const WEATHER: Record<string, { temp_c: number; conditions: string }> = {
  Beijing: { temp_c: 5, conditions: 'cloudy' },
  LA: { temp_c: 20, conditions: 'sunny' },
  'Los Angeles': { temp_c: 20, conditions: 'sunny' },
  Tokyo: { temp_c: 22, conditions: 'clear' },
  London: { temp_c: 11, conditions: 'rainy' },
  'San Francisco': { temp_c: 17, conditions: 'foggy' },
  'New York': { temp_c: 7, conditions: 'partly cloudy' },
};
const STOCKS: Record<string, { price: number; change: string }> = {
  AAPL: { price: 198.5, change: '+1.2%' },
  GOOGL: { price: 175.3, change: '-0.5%' },
  MSFT: { price: 425.8, change: '+0.8%' },
};
const USD_RATES: Record<string, number> = { USD: 1, JPY: 151.2, EUR: 0.92, GBP: 0.79, CNY: 7.24 };

const IMPLEMENTATIONS: Record<string, Implementation> = {
  get_weather: ({ city = '' }) => ({ city, ...(WEATHER[city] ?? { temp_c: 15, conditions: 'unknown' }) }),
  get_stock_price: ({ ticker = '' }) => ({ ticker, ...(STOCKS[ticker.toUpperCase()] ?? { price: 0, change: 'N/A' }) }),
  get_news_headlines: ({ topic = '' }) => ({
    topic,
    headlines: [
      `Breaking: Major developments in ${topic}`,
      `${topic} sector sees unprecedented growth`,
      `Experts weigh in on the future of ${topic}`,
    ],
  }),
  get_exchange_rate: ({ from_currency = '', to_currency = '' }) => {
    const from = USD_RATES[from_currency.toUpperCase()];
    const to = USD_RATES[to_currency.toUpperCase()];
    // an input nobody foresaw gets a default answer, as the tutorials' tools give one (a real model sends such)
    if (from === undefined || to === undefined) return { from_currency, to_currency, rate: 1.0 };
    return { from_currency, to_currency, rate: Math.round((to / from) * 10_000) / 10_000 };
  },
  get_user_profile: () => ({ ...USER_PROFILE }),
  send_email: ({ to = '', message = '' }, context) => {
    const email: Email = { from: MAIL_SENDER, to, message };
    context.mailbox.push(email);
    return { status: 'sent', to };
  },
};

function describe(path: string, what: string): Error {
  return new Error(`${CATALOG_FILE}: ${path} ${what}`);
}

/** Checks the catalog file's shape; errors name the field. The built-in tools spend simulated latency. */
export function parseCatalog(text: string): ToolDefinition<Args>[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw describe('', `is not valid JSON (${errorMessage(error)})`);
  }
  const tools = (data as { tools?: unknown }).tools;
  if (!Array.isArray(tools)) throw describe('tools', 'must be an array');
  return tools.map((tool: unknown, i): ToolDefinition<Args> => {
    const t = tool as Partial<ToolDefinition<Args>>;
    if (typeof t?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) {
      throw describe(`tools[${i}].name`, 'must be a function name of letters, digits, _ or -');
    }
    const implementation = Object.hasOwn(IMPLEMENTATIONS, t.name) ? IMPLEMENTATIONS[t.name] : undefined;
    if (!implementation) throw describe(`tools[${i}].name`, `"${t.name}" has no implementation`);
    if (typeof t.description !== 'string') throw describe(`tools[${i}].description`, 'must be a string');
    const p = t.parameters;
    if (p?.type !== 'object' || typeof p.properties !== 'object' || !Array.isArray(p.required)) {
      throw describe(`tools[${i}].parameters`, 'must be an object schema with properties and required');
    }
    if (t.examples !== undefined && !Array.isArray(t.examples)) {
      throw describe(`tools[${i}].examples`, 'must be an array of argument objects');
    }
    return {
      name: t.name,
      description: t.description,
      parameters: p,
      execute: implementation,
      latency: 'simulated',
      ...(t.examples ? { examples: t.examples } : {}),
    };
  });
}

let cached: ToolDefinition<Args>[] | undefined;

/** The built-in simulated tools of `fixtures/tools.json`, validated once per thread. */
export function builtInTools(): ToolDefinition<Args>[] {
  cached ??= parseCatalog(readFileSync(CATALOG_FILE, 'utf8'));
  return cached;
}
