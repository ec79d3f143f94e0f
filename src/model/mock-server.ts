import type { Anthropic, ClientOptions as AnthropicClientOptions } from '@anthropic-ai/sdk';
import { type HttpHandler, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import OpenAI, { type ClientOptions } from 'openai';
import { DEFAULT_SEED } from '../tools/config.ts';
import { loadAnthropic } from './anthropic-sdk.ts';
import { chatRoute } from './chat.ts';
import {
  DEFAULT_ARGUMENT_FRAGMENT_CHARS,
  type Exchange,
  emptyCounters,
  type MockContext,
  type ModelMockCounters,
  OPENAI_BASE_URL,
  type Route,
  type StreamSettings,
} from './context.ts';
import { shortHash } from './ids.ts';
import { ANTHROPIC_BASE_URL, messagesRoute } from './messages.ts';
import { responsesRoute, type StoredResponse } from './responses.ts';
import type { Scenario } from './scenario.ts';

export interface ModelMockOptions extends StreamSettings {
  /** The scenario to play until {@link ModelMock.use} picks another. */
  scenario?: Scenario;
  /** Where the OpenAI API is mocked; the SDK's default. @default 'https://api.openai.com/v1' */
  baseURL?: string;
  /** Where the Anthropic Messages API is mocked (`/v1/messages` below it); the SDK's default. @default 'https://api.anthropic.com' */
  anthropicBaseURL?: string;
  /**
   * What msw does with a request to the mocked API that no handler matches (`error` keeps the model off the
   * network). Requests elsewhere — a user's tool calling its own service — always pass through. @default 'error'
   */
  onUnhandledRequest?: 'error' | 'warn' | 'bypass';
}

/** A scripted OpenAI API (Chat Completions, streamed or not, and Responses) on msw. */
export interface ModelMock {
  readonly server: SetupServer;
  /** The handlers, for a caller that runs its own msw server. */
  readonly handlers: readonly HttpHandler[];
  /** A snapshot of the counters. */
  readonly counters: Readonly<ModelMockCounters>;
  readonly listening: boolean;
  /** Starts intercepting `fetch`. Create SDK clients after this: they capture `fetch` when constructed. */
  listen(): void;
  close(): void;
  /** Makes `scenario` the one new conversations play; requests whose `model` is its name play it even later. */
  use(scenario: Scenario): void;
  /** Changes latency and stream settings for the following requests. */
  configure(settings: StreamSettings): void;
  /** Zeroes the counters and forgets stored responses. */
  reset(): void;
  /** The requests answered since the last {@link takeExchanges}, oldest first (a live view). */
  readonly exchanges: readonly Exchange[];
  /** The requests answered since the last call, oldest first, and forgets them. */
  takeExchanges(): Exchange[];
  /** An SDK client pointed at the mock through msw's interception of the global `fetch`; throws unless listening. */
  createClient(options?: ClientOptions): OpenAI;
  /**
   * An SDK client whose own `fetch` hands each request straight to the mock's routes: no interception of the
   * global `fetch` (msw's share of a turn's cost), no `listen()` needed. For code
   * that takes a client (our loop); code that calls the global `fetch` itself (framework adapters) needs
   * {@link createClient}. A request no handler answers is refused, never sent.
   */
  createDirectClient(options?: ClientOptions): OpenAI;
  /** An Anthropic SDK client on the same direct path, for `/v1/messages` (the SDK is imported on first use). */
  createDirectAnthropicClient(options?: AnthropicClientOptions): Promise<Anthropic>;
}

export function createModelMock(options: ModelMockOptions = {}): ModelMock {
  const baseURL = (options.baseURL ?? OPENAI_BASE_URL).replace(/\/+$/, '');
  const anthropicBaseURL = (options.anthropicBaseURL ?? ANTHROPIC_BASE_URL).replace(/\/+$/, '');
  const scenarios = new Map<string, Scenario>();
  let active = options.scenario;
  if (active) scenarios.set(active.name, active);
  let sequence = 0;
  const settings: MockContext['settings'] = {
    latencyOverrideMs: undefined,
    streamChunkDelayMs: 0,
    tokensPerSecond: undefined,
    latencySamples: undefined,
    seed: DEFAULT_SEED,
    interleave: false,
    argumentFragmentChars: DEFAULT_ARGUMENT_FRAGMENT_CHARS,
  };
  const context: MockContext = {
    settings,
    counters: emptyCounters(),
    exchanges: [],
    scenarioFor: (model) => (typeof model === 'string' ? scenarios.get(model) : undefined) ?? active,
    nextId: (prefix) => {
      sequence++;
      return `${prefix}${shortHash(`${prefix}${sequence}`)}${sequence.toString(16).padStart(6, '0')}`;
    },
  };
  const configure = (next: StreamSettings): void => {
    if ('latencyOverrideMs' in next) settings.latencyOverrideMs = checkMs(next.latencyOverrideMs, 'latencyOverrideMs');
    if (next.streamChunkDelayMs !== undefined)
      settings.streamChunkDelayMs = checkMs(next.streamChunkDelayMs, 'streamChunkDelayMs') ?? 0;
    if ('tokensPerSecond' in next) {
      const rate = next.tokensPerSecond;
      if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
        throw new RangeError(`Expected \`tokensPerSecond\` to be a number > 0, got ${rate}`);
      }
      settings.tokensPerSecond = rate;
    }
    if ('latencySamples' in next) settings.latencySamples = next.latencySamples;
    if (next.seed !== undefined) settings.seed = next.seed;
    if (next.interleave !== undefined) settings.interleave = next.interleave;
    if (next.argumentFragmentChars !== undefined) {
      if (!Number.isInteger(next.argumentFragmentChars) || next.argumentFragmentChars < 1) {
        throw new RangeError(
          `Expected \`argumentFragmentChars\` to be a whole number >= 1, got ${next.argumentFragmentChars}`,
        );
      }
      settings.argumentFragmentChars = next.argumentFragmentChars;
    }
  };
  configure(options);

  const store = new Map<string, StoredResponse>();
  const routes = new Map<string, Route>([
    [`${baseURL}/chat/completions`, chatRoute(context)],
    [`${baseURL}/responses`, responsesRoute(context, store)],
    [`${anthropicBaseURL}/v1/messages`, messagesRoute(context)],
  ]);
  const handlers = [...routes].map(([url, route]) => http.post(url, ({ request }) => route(request)));
  /** A `fetch` that hands a request straight to its route; what no route answers is refused, never sent. */
  const direct = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const route = request.method === 'POST' ? routes.get(request.url.split('?')[0] ?? '') : undefined;
    if (route) return route(request);
    throw new Error(`${request.method} ${request.url} is not mocked: refused, never sent`);
  };
  const server = setupServer(...handlers);
  let listening = false;

  return {
    server,
    handlers,
    get counters() {
      return { ...context.counters };
    },
    get listening() {
      return listening;
    },
    get exchanges() {
      return context.exchanges;
    },
    listen() {
      if (listening) return;
      const strategy = options.onUnhandledRequest ?? 'error';
      server.listen({
        onUnhandledFrame: async ({ frame, defaults }) => {
          if (frame.protocol !== 'http') return; // no WebSocket is the model's
          const { request } = frame.data as { request: Request };
          const mocked = request.url.startsWith(baseURL) || request.url.startsWith(`${anthropicBaseURL}/v1/`);
          if (!mocked || strategy === 'bypass') return; // not the model's: let it through
          if (strategy === 'warn') return defaults.warn();
          await defaults.error();
          // printing alone lets the request through: only an error thrown here keeps it off the network
          throw new Error(`${request.method} ${request.url} is not mocked: refused, never sent`);
        },
      });
      listening = true;
    },
    close() {
      if (!listening) return;
      server.close();
      listening = false;
    },
    use(scenario) {
      scenarios.set(scenario.name, scenario);
      active = scenario;
    },
    configure,
    reset() {
      Object.assign(context.counters, emptyCounters());
      store.clear();
      context.exchanges.length = 0;
    },
    takeExchanges() {
      return context.exchanges.splice(0);
    },
    createClient(clientOptions) {
      if (!listening)
        throw new Error('createClient: call listen() first; the SDK captures fetch when a client is created');
      return createMockClient({ baseURL, ...clientOptions });
    },
    createDirectClient(clientOptions) {
      return createMockClient({ baseURL, fetch: direct, ...clientOptions });
    },
    async createDirectAnthropicClient(clientOptions) {
      const { Anthropic } = await loadAnthropic();
      return new Anthropic({
        apiKey: 'test',
        baseURL: anthropicBaseURL,
        maxRetries: 0,
        fetch: direct,
        ...clientOptions,
      });
    },
  };
}

/**
 * An SDK client for the mock: test key, the mock's base URL, no retries (a retry would hide a refused request).
 * Create it after `listen()`.
 */
export function createMockClient(options: ClientOptions = {}): OpenAI {
  return new OpenAI({ apiKey: 'test', baseURL: OPENAI_BASE_URL, maxRetries: 0, ...options });
}

function checkMs(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`Expected \`${name}\` to be milliseconds >= 0, got ${value}`);
  return value;
}
