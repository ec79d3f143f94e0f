import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolError } from './errors.ts';
import { fixturesDir } from './paths.ts';

/** JSON schema of a tool's parameters (the subset the catalog uses). */
export interface ParameterSchema {
  type: 'object';
  properties: Record<string, { type: 'string'; description?: string }>;
  required: string[];
  additionalProperties?: boolean;
}

export interface ToolDefinition {
  name: string;
  description: string;
  parameters: ParameterSchema;
}

/** The form the Chat Completions API takes in `tools`. */
export interface ChatFunctionTool {
  type: 'function';
  function: ToolDefinition;
}

export interface Email {
  from: string;
  to: string;
  message: string;
}

/** What a tool implementation may touch besides its arguments. */
export interface ToolContext {
  mailbox: Email[];
}

type Implementation = (args: Record<string, string>, context: ToolContext) => unknown;

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
    if (from === undefined || to === undefined) {
      throw new ToolError(`unknown currency pair ${from_currency}/${to_currency}`);
    }
    return { from_currency, to_currency, rate: Math.round((to / from) * 10_000) / 10_000 };
  },
  get_user_profile: () => ({ ...USER_PROFILE }),
  send_email: ({ to = '', message = '' }, context) => {
    const email = { from: MAIL_SENDER, to, message };
    context.mailbox.push(email);
    return { status: 'sent', to };
  },
};

function describe(path: string, what: string): Error {
  return new Error(`${CATALOG_FILE}: ${path} ${what}`);
}

/** Checks the catalog file's shape; errors name the field. */
export function parseCatalog(text: string): ToolDefinition[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw describe('', `is not valid JSON (${(error as Error).message})`);
  }
  const tools = (data as { tools?: unknown }).tools;
  if (!Array.isArray(tools)) throw describe('tools', 'must be an array');
  return tools.map((tool: unknown, i): ToolDefinition => {
    const t = tool as Partial<ToolDefinition>;
    if (typeof t?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) {
      throw describe(`tools[${i}].name`, 'must be a function name of letters, digits, _ or -');
    }
    if (!Object.hasOwn(IMPLEMENTATIONS, t.name))
      throw describe(`tools[${i}].name`, `"${t.name}" has no implementation`);
    if (typeof t.description !== 'string') throw describe(`tools[${i}].description`, 'must be a string');
    const p = t.parameters;
    if (p?.type !== 'object' || typeof p.properties !== 'object' || !Array.isArray(p.required)) {
      throw describe(`tools[${i}].parameters`, 'must be an object schema with properties and required');
    }
    return { name: t.name, description: t.description, parameters: p };
  });
}

let cached: ToolDefinition[] | undefined;

/** The tool catalog from `fixtures/tools.json`, validated once per thread. */
export function loadCatalog(): ToolDefinition[] {
  cached ??= parseCatalog(readFileSync(CATALOG_FILE, 'utf8'));
  return cached;
}

export function toolNames(): string[] {
  return loadCatalog().map((t) => t.name);
}

export function chatTools(): ChatFunctionTool[] {
  return loadCatalog().map((t) => ({ type: 'function', function: t }));
}

/** Parses and checks a call's raw arguments against its schema; throws {@link ToolError} naming the problem. */
export function parseArguments(definition: ToolDefinition, raw: string): Record<string, string> {
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (error) {
    throw new ToolError(`invalid JSON arguments for ${definition.name}: ${(error as Error).message}`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ToolError(`arguments for ${definition.name} must be a JSON object`);
  }
  const record = args as Record<string, unknown>;
  for (const key of definition.parameters.required) {
    if (!(key in record)) throw new ToolError(`missing required argument "${key}" for ${definition.name}`);
  }
  for (const [key, value] of Object.entries(record)) {
    if (!Object.hasOwn(definition.parameters.properties, key)) {
      throw new ToolError(`unknown argument "${key}" for ${definition.name}`);
    }
    if (typeof value !== 'string') throw new ToolError(`argument "${key}" for ${definition.name} must be a string`);
  }
  return record as Record<string, string>;
}

/** Resolves a call to its implementation and arguments, or throws {@link ToolError}. */
export function bindCall(
  name: string,
  rawArguments: string,
): { definition: ToolDefinition; args: Record<string, string>; implementation: Implementation } {
  const definition = loadCatalog().find((t) => t.name === name);
  const implementation = Object.hasOwn(IMPLEMENTATIONS, name) ? IMPLEMENTATIONS[name] : undefined;
  if (!definition || !implementation) throw new ToolError(`unknown tool "${name}"`);
  return { definition, args: parseArguments(definition, rawArguments), implementation };
}
