import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantileSorted } from '../src/stats/summary.ts';
import { mulberry32 } from '../src/tools/random.ts';
import {
  drawRecorded,
  loadProfileCached,
  looksLikeProfilePath,
  parseProfile,
  profileStats,
  readProfile,
} from '../src/tools/recorded.ts';
import { ProfileError } from '../src/tools/recordings/checks.ts';

const PROFILES = join(import.meta.dirname, '..', 'fixtures', 'profiles');
const TRACE = join(PROFILES, 'sample-trace.otlp.json');

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** An OTLP JSON export of the given spans (one resource, one scope). */
function otlp(spans: unknown[], scopeKey = 'scopeSpans'): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, [scopeKey]: [{ scope: {}, spans }] }] });
}

function toolSpan(tool: string | undefined, start: string | number, end: string | number, operation = 'execute_tool') {
  const attributes = [attr('gen_ai.operation.name', operation)];
  if (tool !== undefined) attributes.push(attr('gen_ai.tool.name', tool));
  return { name: `${operation} ${tool}`, startTimeUnixNano: start, endTimeUnixNano: end, attributes };
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The error `run` throws, checked to be a one-line ProfileError. */
function profileError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    const message = (error as ProfileError).message;
    expect(message).not.toMatch(/[\r\n]/);
    return message;
  }
  throw new Error('expected a ProfileError');
}

describe('parseProfile', () => {
  it('reads the JSON map format in file order', () => {
    expect(parseProfile('{"search_docs": [120, 80.5, 900], "get_weather": [200]}', 'p.json')).toEqual({
      file: 'p.json',
      format: 'json',
      samples: { search_docs: [120, 80.5, 900], get_weather: [200] },
    });
  });

  it('reads CSV with quoting, swapped and extra columns, blank lines and CRLF', () => {
    const text =
      '\ufeffms,note,tool\r\n120,"slow, then ""ok""",search_docs\r\n\r\n80.5,,"get_weather"\r\n  \r\n7,"two\nlines",search_docs\r\n';
    expect(parseProfile(text, 'p.csv')).toEqual({
      file: 'p.csv',
      format: 'csv',
      samples: { search_docs: [120, 7], get_weather: [80.5] },
    });
    expect(parseProfile('tool,ms\n"a_b",1\nc, 2.5\n', 'p.csv').samples).toEqual({ a_b: [1], c: [2.5] });
    // a quoted comma is read as part of the field, and a name the APIs refuse is then named as the problem
    expect(() => parseProfile('tool,ms\n"a,b",1\n', 'p.csv')).toThrow(/p\.csv: line 2: tool name "a,b" is not 1-64/);
  });

  it('reads OTLP JSON: nanosecond strings to ms with sub-ms precision, other operations ignored', () => {
    const text = otlp([
      toolSpan('search_docs', '1749719641130902915', '1749719641251356952'),
      toolSpan(undefined, '1749719641000000000', '1749719642000000000', 'chat'),
      { name: 'no attributes', startTimeUnixNano: '1', endTimeUnixNano: '2' },
      toolSpan('lookup_order', 1_000_000, 1_250_001),
      toolSpan('search_docs', '1749719641130902915', '1749719641130902915'),
    ]);
    const profile = parseProfile(text, 't.json');
    expect(profile.format).toBe('otlp');
    expect(profile.samples).toEqual({ search_docs: [120.454037, 0], lookup_order: [0.250001] });
    // the older instrumentationLibrarySpans name
    const legacy = parseProfile(otlp([toolSpan('x', '10', '3000010')], 'instrumentationLibrarySpans'), 't.json');
    expect(legacy.samples).toEqual({ x: [3] });
  });

  it('reads OTLP JSON lines (one export request per line)', () => {
    const text = `${otlp([toolSpan('a', '0', '1000000')])}\n\n${otlp([toolSpan('a', '0', '2500000')])}\n`;
    expect(parseProfile(text, 't.jsonl')).toEqual({ file: 't.jsonl', format: 'otlp', samples: { a: [1, 2.5] } });
  });
});

describe('bad profiles', () => {
  const bad = (text: string, file = 'bad.json') => profileError(() => parseProfile(text, file));

  it('refuses text in none of the formats', () => {
    expect(bad('{"a": [1,')).toBe(
      'bad.json: end of file: not valid JSON (Unexpected end of JSON input); expected {"tool": [ms, …]}, a CSV with header tool,ms, or an OTLP JSON trace',
    );
    expect(bad('{"a": [1,}')).toMatch(
      /^bad\.json: line 1 column 10: not valid JSON \(Unexpected token '}'\); expected/,
    );
    expect(bad('{\n  "a": [1],\n  "b" [2]\n}')).toMatch(
      /^bad\.json: line 3 column 7: not valid JSON \(.+\); expected \{"tool"/,
    );
    expect(bad('{\n  "a": [1, 2 x]\n}')).toMatch(
      /^bad\.json: line 2 column 14: not valid JSON \(.+\); expected \{"tool"/,
    );
    expect(bad('[1, 2]')).toMatch(/^bad\.json: top level: is an array; expected \{"tool"/);
    expect(bad('hello there', 'x.txt')).toMatch(/^x\.txt: line 1: not a profile; expected \{"tool"/);
    expect(bad(' \n\n', 'x.csv')).toMatch(/^x\.csv: file: is empty; expected/);
  });

  it('names the tool and index in the JSON map format', () => {
    expect(bad('{"a": 5}')).toBe('bad.json: "a": is the number 5; give an array of durations in ms');
    expect(bad('{"a": [1, -2]}')).toBe('bad.json: "a"[1]: -2 is negative; durations are milliseconds ≥ 0');
    expect(bad('{"a": [1e999]}')).toMatch(/^bad\.json: "a"\[0\]: Infinity is not finite/);
    expect(bad('{"a": [1, "12.5"]}')).toBe(
      'bad.json: "a"[1]: "12.5" is a string; write durations as JSON numbers (12.5)',
    );
    expect(bad('{"a": [null]}')).toMatch(
      /^bad\.json: "a"\[0\]: null is not a duration; give milliseconds as a number$/,
    );
    expect(bad('{"a": []}')).toMatch(/^bad\.json: "a": has no samples;/);
    expect(bad('{"": [1]}')).toMatch(/^bad\.json: "": empty tool name;/);
    expect(bad('{"a\\nb": [-1]}')).toMatch(/^bad\.json: "a\\nb"\[0\]: -1 is negative/);
    expect(bad('{}')).toMatch(/^bad\.json: top level: no tools, so no samples;/);
  });

  it('names the line in CSV', () => {
    expect(bad('tool,latency\na,1\n', 'p.csv')).toMatch(
      /^p\.csv: line 1 \(header\): no column ms \(found "tool,latency"\); the first row must name the columns tool and ms$/,
    );
    expect(bad('search_docs,120\n', 'p.csv')).toMatch(/^p\.csv: line 1 \(header\): no column tool or ms/);
    expect(bad('tool,ms\na,1\nb,2,3\n', 'p.csv')).toMatch(/^p\.csv: line 3: 3 fields where the header has 2;/);
    expect(bad('tool,ms\na,1\n\nb\n', 'p.csv')).toMatch(/^p\.csv: line 4: 1 fields where the header has 2;/);
    expect(bad('tool,ms\na,1\nb,-3\n', 'p.csv')).toBe('p.csv: line 3: -3 is negative; durations are milliseconds ≥ 0');
    expect(bad('tool,ms\na,fast\n', 'p.csv')).toMatch(/^p\.csv: line 2: ms "fast" is not a number;/);
    expect(bad('tool,ms\na,1e999\n', 'p.csv')).toMatch(/^p\.csv: line 2: Infinity is not finite;/);
    expect(bad('tool,ms\na,\n', 'p.csv')).toMatch(/^p\.csv: line 2: ms is empty for tool "a";/);
    expect(bad('tool,ms\n ,5\n', 'p.csv')).toMatch(/^p\.csv: line 2: empty tool name;/);
    expect(bad('tool,ms\r\n', 'p.csv')).toMatch(/^p\.csv: line 1 \(header\): no rows after the header, so no samples;/);
    expect(bad('tool,ms\na,1\n"b,2\nc,3\n', 'p.csv')).toMatch(/^p\.csv: line 3: quoted field never closed;/);
    expect(bad('tool,ms,tool\na,1,b\n', 'p.csv')).toMatch(/^p\.csv: line 1 \(header\): column tool appears twice;/);
  });

  it('names the span by index path in OTLP', () => {
    const spans = (...list: unknown[]) => ({ scope: {}, spans: list });
    const chat = toolSpan(undefined, '0', '5', 'chat');
    const nested = (last: unknown) =>
      JSON.stringify({ resourceSpans: [{ scopeSpans: [spans(chat), spans(chat, chat, chat, last)] }] });
    const at = 'bad.json: resourceSpans[0].scopeSpans[1].spans[3]';
    expect(bad(nested(toolSpan('a', '9', '5')))).toBe(
      `${at}: span of tool "a" ends before it starts (endTimeUnixNano 5 < startTimeUnixNano 9); fix or drop the span`,
    );
    expect(bad(nested(toolSpan(undefined, '1', '5')))).toBe(
      `${at}: execute_tool span has no gen_ai.tool.name attribute; the exporter must record the tool name`,
    );
    expect(bad(nested(toolSpan('', '1', '5')))).toMatch(
      new RegExp(`^${escapeRegExp(at)}: empty tool name in gen_ai.tool.name`),
    );
    expect(bad(nested(toolSpan('a', '1.5', '5')))).toMatch(
      new RegExp(`^${escapeRegExp(at)}\\.startTimeUnixNano: a string \\("1\\.5"\\) is not a time;`),
    );
    expect(bad(nested(toolSpan('a', -1, '5')))).toMatch(
      new RegExp(`^${escapeRegExp(at)}\\.startTimeUnixNano: the number -1`),
    );
    expect(
      bad(nested({ attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', 'a')] })),
    ).toMatch(new RegExp(`^${escapeRegExp(at)}\\.startTimeUnixNano: missing;`));
    expect(bad(otlp([chat, chat]))).toBe(
      'bad.json: resourceSpans: no spans with gen_ai.operation.name = execute_tool; is this a GenAI trace?',
    );
    expect(bad('{"resourceSpans": []}')).toMatch(
      /: resourceSpans: no spans with gen_ai\.operation\.name = execute_tool/,
    );
    expect(bad('{"resourceSpans": {}}')).toMatch(/^bad\.json: resourceSpans: is an object; expected an array/);
    expect(bad('{"resourceSpans": [{"scopeSpans": [{"spans": [7]}]}]}')).toMatch(
      /^bad\.json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: is the number 7; expected an object/,
    );
    expect(bad(`${otlp([toolSpan('a', '0', '1')])}\n{"resourceSpans": [\n`, 't.jsonl')).toMatch(
      /^t\.jsonl: line 2: not valid JSON; an OTLP JSON-lines file holds one export request per line$/,
    );
    expect(bad(`${otlp([toolSpan('a', '0', '1')])}\n${otlp([toolSpan('a', '5', '1')])}`, 't.jsonl')).toMatch(
      /^t\.jsonl: line 2: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: span of tool "a" ends before it starts/,
    );
  });

  it('names the path of a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-recorded-'));
    const missing = join(dir, 'nope.csv');
    expect(profileError(() => readProfile(missing))).toBe(`${missing}: file: no such file; check the --profile path`);
    expect(profileError(() => readProfile(dir))).toBe(`${dir}: file: is a directory; give a profile file`);
    const binary = join(dir, 'trace.pb');
    writeFileSync(binary, Buffer.from([0x0a, 0xff, 0xfe, 0x00, 0x80]));
    expect(profileError(() => readProfile(binary))).toMatch(/^.*trace\.pb: file: is not UTF-8 text/);
    const relativeMissing = relative(process.cwd(), missing);
    expect(profileError(() => loadProfileCached(relativeMissing))).toMatch(
      new RegExp(`^${escapeRegExp(relativeMissing)}: file: no such file \\(looked at ${escapeRegExp(missing)}\\)`),
    );
  });
});

describe('fixtures', () => {
  it('reads the agent trace: execute_tool spans per tool, chat and invoke_agent spans not counted', () => {
    const profile = readProfile(TRACE);
    expect(profile.format).toBe('otlp');
    expect(profile.file).toBe(TRACE);
    expect(profile.sha256).toBe(createHash('sha256').update(readFileSync(TRACE)).digest('hex'));
    expect(Object.keys(profile.samples).sort()).toEqual(['get_weather', 'lookup_order', 'search_docs']);
    expect(profile.samples.search_docs).toHaveLength(30);
    expect(profile.samples.get_weather).toHaveLength(20);
    expect(profile.samples.lookup_order).toHaveLength(15);
    // the fixture does hold other operations, which must not leak in
    const operations = (readFileSync(TRACE, 'utf8').match(/"stringValue": "(chat|invoke_agent)"/g) ?? []).length;
    expect(operations).toBeGreaterThan(10);
    const all = Object.values(profile.samples).flat();
    expect(Math.min(...all)).toBeGreaterThan(40);
    expect(Math.max(...all)).toBeLessThan(900);
  });

  it('reads the CSV and JSON samples to the same data', () => {
    const csv = readProfile(join(PROFILES, 'sample.csv'));
    const json = readProfile(join(PROFILES, 'sample.json'));
    expect([csv.format, json.format]).toEqual(['csv', 'json']);
    expect(csv.samples).toEqual(json.samples);
    expect(Object.values(csv.samples).flat().length).toBeGreaterThan(24);
    expect(csv.sha256).not.toBe(json.sha256);
  });

  it('caches by absolute path', () => {
    const first = loadProfileCached(TRACE);
    expect(loadProfileCached(relative(process.cwd(), TRACE))).toBe(first);
  });
});

describe('profileStats', () => {
  it('gives count and quantiles of the sorted samples', () => {
    const profile = readProfile(TRACE);
    const stats = profileStats(profile);
    for (const [tool, samples] of Object.entries(profile.samples)) {
      const sorted = sortedCopy(samples);
      expect(stats[tool]).toEqual({
        count: samples.length,
        p50: quantileSorted(sorted, 0.5),
        p90: quantileSorted(sorted, 0.9),
        p99: quantileSorted(sorted, 0.99),
      });
    }
    const { samples } = parseProfile('{"a": [30, 10, 20]}', 'p.json');
    expect(profileStats({ file: 'p.json', format: 'json', sha256: '', samples })).toEqual({
      a: { count: 3, p50: 20, p90: 28, p99: 29.8 },
    });
    expect(samples.a).toEqual([30, 10, 20]);
  });
});

describe('drawRecorded', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
  const random = mulberry32(1234);
  const skewed = Array.from({ length: 400 }, () => (random() < 0.1 ? 600 + 300 * random() : 80 + 120 * random()));

  it.each([
    ['search_docs of the fixture trace', () => readProfile(TRACE).samples.search_docs ?? []],
    ['a synthetic skewed set', () => skewed],
  ])('reproduces p50 and p99 of %s within 5%', (_, samplesOf) => {
    const samples = samplesOf();
    expect(samples.length).toBeGreaterThan(20);
    const drawn = sortedCopy(ids.map((id) => drawRecorded(samples, 42, id)));
    const sorted = sortedCopy(samples);
    for (const q of [0.5, 0.99]) {
      expect(Math.abs(quantileSorted(drawn, q) / quantileSorted(sorted, q) - 1)).toBeLessThan(0.05);
    }
    expect(drawn.every((value) => samples.includes(value))).toBe(true);
  });

  it('is repeatable from (seed, call id) alone', () => {
    const first = ids.slice(0, 200).map((id) => drawRecorded(skewed, 42, id));
    expect(ids.slice(0, 200).map((id) => drawRecorded(skewed, 42, id))).toEqual(first);
    expect(ids.slice(0, 200).map((id) => drawRecorded(skewed, 43, id))).not.toEqual(first);
    expect(drawRecorded([5], 1, 'x')).toBe(5);
    expect(() => drawRecorded([], 1, 'x')).toThrow(RangeError);
  });
});

describe('looksLikeProfilePath', () => {
  it('tells a file from a built-in profile name', () => {
    for (const name of ['long-tail', 'uniform', 'fixed', 'json']) expect(looksLikeProfilePath(name)).toBe(false);
    for (const path of ['p.json', 'P.CSV', 'trace.jsonl', './x', 'dir/profile', 'C:\\traces\\t', 'a.otlp.json']) {
      expect(looksLikeProfilePath(path)).toBe(true);
    }
  });
});
