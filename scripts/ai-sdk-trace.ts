/**
 * A trace written by the Vercel AI SDK's own telemetry (AI SDK 6, the `ai-6` alias: from 7 on, OpenTelemetry spans
 * moved out of `ai` into an integration package): `generateText` with `experimental_telemetry` plays the
 * multi-turn scenario `weather-profile-email` (or the one named second) against the model mock, tools taking 20–60 ms, and the spans the SDK
 * starts (`ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`) are written as OTLP JSON. The tracer is a
 * small in-memory one (the SDK only calls `startActiveSpan` and the span's setters); parents follow async calls.
 * `npx tsx scripts/ai-sdk-trace.ts [FILE [SCENARIO]]` (default test/fixtures/traces/ai-sdk-weather.otlp.json).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai-6';
import { createOpenAI } from 'ai-sdk-openai-3';
import { loadScenario } from '../src/model/load.ts';
import { createModelMock } from '../src/model/mock-server.ts';
import { ToolRegistry } from '../src/tools/registry.ts';

interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: bigint;
  end: bigint;
  attributes: Record<string, unknown>;
}

const spans: RecordedSpan[] = [];
const active = new AsyncLocalStorage<RecordedSpan>();
const now = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

function startSpan(name: string, attributes: Record<string, unknown> = {}): RecordedSpan {
  const parent = active.getStore();
  const span: RecordedSpan = {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    name,
    start: now(),
    end: 0n,
    attributes: { ...attributes },
  };
  spans.push(span);
  return span;
}

function handle(span: RecordedSpan) {
  const api = {
    setAttribute: (key: string, value: unknown) => {
      span.attributes[key] = value;
      return api;
    },
    setAttributes: (values: Record<string, unknown>) => {
      Object.assign(span.attributes, values);
      return api;
    },
    addEvent: () => api,
    setStatus: () => api,
    recordException: () => {},
    updateName: (name: string) => {
      span.name = name;
      return api;
    },
    end: () => {
      span.end = now();
    },
    isRecording: () => true,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1 }),
  };
  return api;
}

/** The Tracer the SDK calls: `startActiveSpan(name, options?, context?, fn)` and `startSpan`. */
const tracer = {
  startSpan: (name: string, options?: { attributes?: Record<string, unknown> }) =>
    handle(startSpan(name, options?.attributes)),
  startActiveSpan: (name: string, ...args: unknown[]) => {
    const fn = args.at(-1) as (span: unknown) => unknown;
    const options = (typeof args[0] === 'object' ? args[0] : {}) as { attributes?: Record<string, unknown> };
    const span = startSpan(name, options.attributes);
    return active.run(span, () => fn(handle(span)));
  },
};

const file = process.argv[2] ?? 'test/fixtures/traces/ai-sdk-weather.otlp.json';
const scenario = loadScenario(process.argv[3] ?? 'weather-profile-email');
const mock = createModelMock({ scenario, latencyOverrideMs: 40 });
mock.listen();
const registry = new ToolRegistry();
const durations: Record<string, number> = { get_weather: 60, get_stock_price: 30, get_news_headlines: 45 };
const tools = Object.fromEntries(
  registry.definitions().map((definition) => [
    definition.name,
    tool({
      description: definition.description,
      inputSchema: jsonSchema<Record<string, unknown>>(definition.parameters as never),
      execute: async (args: Record<string, unknown>) => {
        await new Promise((resolve) => setTimeout(resolve, durations[definition.name] ?? 20));
        return definition.execute(args as never, { mailbox: [] });
      },
    } as never),
  ]),
);
const provider = createOpenAI({ baseURL: 'https://api.openai.com/v1', apiKey: 'test' });
try {
  const result = await generateText({
    model: provider.chat(scenario.name),
    prompt: scenario.question,
    tools,
    stopWhen: stepCountIs(10),
    maxRetries: 0,
    experimental_telemetry: { isEnabled: true, functionId: 'weather-agent', tracer: tracer as never },
  });
  const attribute = (key: string, value: unknown) =>
    typeof value === 'number'
      ? Number.isInteger(value)
        ? { key, value: { intValue: String(value) } }
        : { key, value: { doubleValue: value } }
      : typeof value === 'boolean'
        ? { key, value: { boolValue: value } }
        : { key, value: { stringValue: typeof value === 'string' ? value : JSON.stringify(value) } };
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [attribute('service.name', 'ai-sdk-trace')] },
        scopeSpans: [
          {
            scope: { name: 'ai' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 1,
              startTimeUnixNano: s.start.toString(),
              endTimeUnixNano: s.end.toString(),
              attributes: Object.entries(s.attributes)
                .filter(([, value]) => value !== undefined)
                .map(([key, value]) => attribute(key, value)),
            })),
          },
        ],
      },
    ],
  };
  writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
  console.log(
    `${file}: ${spans.length} spans from the AI SDK's telemetry (${result.steps.length} steps); answer: ${result.text}`,
  );
} finally {
  mock.close();
}
