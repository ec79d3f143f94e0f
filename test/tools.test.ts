import { describe, expect, it } from 'vitest';
import { parseArguments } from '../src/tools/arguments.ts';
import { parseCatalog } from '../src/tools/catalog.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { burnCpu, calibrateCpu } from '../src/tools/cpu.ts';
import { LONG_TAIL_FACTOR, planCall } from '../src/tools/latency.ts';
import { ToolRegistry } from '../src/tools/registry.ts';

const builtIns = new ToolRegistry();

describe('catalog', () => {
  it('holds the six reference tools as OpenAI function tools', () => {
    expect(builtIns.names()).toEqual([
      'get_weather',
      'get_stock_price',
      'get_news_headlines',
      'get_exchange_rate',
      'get_user_profile',
      'send_email',
    ]);
    expect(builtIns.chatTools()[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
  });

  it('names the field of a malformed catalog', () => {
    expect(() => parseCatalog('{')).toThrow(/tools\.json: +is not valid JSON/);
    expect(() => parseCatalog('{"tools": {}}')).toThrow(/tools must be an array/);
    expect(() => parseCatalog('{"tools": [{"name": "nope", "description": "x"}]}')).toThrow(
      /tools\[0\]\.name "nope" has no implementation/,
    );
  });

  it('checks arguments against the schema', () => {
    const [weather] = builtIns.chatTools();
    const definition = weather?.function;
    if (!definition) throw new Error('catalog is empty');
    expect(parseArguments(definition, '{"city":"Tokyo"}')).toEqual({ city: 'Tokyo' });
    expect(() => parseArguments(definition, '{}')).toThrow(/missing required argument "city"/);
    expect(() => parseArguments(definition, '{"city":"x","country":"y"}')).toThrow(/unknown argument "country"/);
    expect(() => parseArguments(definition, '[1]')).toThrow(/must be a JSON object/);
    expect(() => parseArguments(definition, '{"city": 5}')).toThrow(/must be a string/);
  });
});

describe('seeded latency profiles', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `c${i}`);

  it('draws the same latency for the same seed and id, on any call', () => {
    const config = toolRuntimeConfig({ profile: 'uniform', seed: 7 });
    expect(planCall(config, 'abc')).toEqual(planCall(config, 'abc'));
    expect(planCall(config, 'abc')).not.toEqual(planCall(toolRuntimeConfig({ profile: 'uniform', seed: 8 }), 'abc'));
  });

  it('keeps fixed at the nominal latency and uniform within ±50%', () => {
    const fixed = toolRuntimeConfig({ latencyMs: 300 });
    expect(ids.every((id) => planCall(fixed, id).latencyMs === 300)).toBe(true);
    const uniform = toolRuntimeConfig({ latencyMs: 300, profile: 'uniform' });
    const drawn = ids.map((id) => planCall(uniform, id).latencyMs);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(450);
  });

  it('makes about one call in ten a straggler in long-tail', () => {
    const config = toolRuntimeConfig({ latencyMs: 100, profile: 'long-tail' });
    const stragglers = ids.filter((id) => planCall(config, id).latencyMs >= 100 * LONG_TAIL_FACTOR[0]).length;
    expect(stragglers / ids.length).toBeGreaterThan(0.07);
    expect(stragglers / ids.length).toBeLessThan(0.13);
  });

  it('draws faults at their rates', () => {
    const config = toolRuntimeConfig({ faults: { failRate: 0.2, hangRate: 0, crashRate: 0 } });
    const failing = ids.filter((id) => planCall(config, id).fault === 'fail').length / ids.length;
    expect(failing).toBeGreaterThan(0.17);
    expect(failing).toBeLessThan(0.23);
  });
});

describe('cpu work', () => {
  it('does work proportional to its units (not to the clock), and the result depends on every unit', () => {
    // deterministic: the same units give the same result, other units another (the work cannot be skipped)
    expect(burnCpu(1000)).toBe(burnCpu(1000));
    expect(burnCpu(1001)).not.toBe(burnCpu(1000));
    const calibration = calibrateCpu(3, 5);
    expect(calibration.unitsPerMs).toBeGreaterThan(0);
    // proportional: 8x the units take several times as long (a ratio measured side by side, min of 3 each, so a
    // busy machine slows both alike; a clock-bound loop would take the same time for any units)
    const time = (units: number) =>
      Math.min(
        ...[0, 1, 2].map(() => {
          const t0 = performance.now();
          burnCpu(units);
          return performance.now() - t0;
        }),
      );
    const small = time(calibration.unitsPerMs * 4);
    const large = time(calibration.unitsPerMs * 32);
    expect(large / small).toBeGreaterThan(4);
    expect(large / small).toBeLessThan(16);
  });
});

describe('inputs nobody foresaw get a default answer, as the tutorials give one', () => {
  it('answers an unknown currency pair with a rate of 1.0 and an unknown city with default weather', async () => {
    const { ToolRuntime } = await import('../src/tools/runtime.ts');
    const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 1 }));
    const rate = await runtime.invoke({
      id: 'fx',
      name: 'get_exchange_rate',
      arguments: '{"from_currency":"from_currency-0","to_currency":"to_currency-0"}',
    });
    expect(rate).toEqual({ from_currency: 'from_currency-0', to_currency: 'to_currency-0', rate: 1 });
    const weather = await runtime.invoke({ id: 'w', name: 'get_weather', arguments: '{"city":"Atlantis"}' });
    expect(weather).toMatchObject({ city: 'Atlantis', conditions: 'unknown' });
  });
});
