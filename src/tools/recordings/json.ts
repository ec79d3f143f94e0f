/** Profiles as JSON: the tool map `{ "tool": [ms, …] }`, and where a JSON profile's text breaks. */
import { errorMessage } from '../../core/errors.ts';
import { findJsonError } from '../../core/json-syntax.ts';
import { Collector, duration, EXPECTED, fail, kindOf } from './checks.ts';

/** Durations per tool from a parsed `{ "tool": [ms, …] }`. */
export function parseToolMap(data: Record<string, unknown>, file: string): Record<string, number[]> {
  const entries = Object.entries(data);
  if (entries.length === 0) fail(file, 'top level', `no tools, so no samples; ${EXPECTED}`);
  const samples = new Collector();
  for (const [tool, values] of entries) {
    const field = JSON.stringify(tool);
    if (tool.trim() === '') fail(file, field, 'empty tool name; use the name the model calls the tool by');
    if (!Array.isArray(values)) fail(file, field, `is ${kindOf(values)}; give an array of durations in ms`);
    if (values.length === 0) fail(file, field, 'has no samples; give at least one duration in ms or drop the tool');
    values.forEach((value, index) => {
      samples.add(tool, duration(value, file, `${field}[${index}]`), file, field);
    });
  }
  return samples.toRecord();
}

/** Fails naming where the JSON breaks (the end of file when the text stops short) and why. */
export function jsonSyntaxError(text: string, error: unknown, file: string): never {
  const message = errorMessage(error);
  const reason = message.split(/, (?:\.\.\.)?"| in JSON| after JSON| at position/)[0] ?? message;
  const where = /end of JSON/i.test(message) ? undefined : findJsonError(text);
  const place = where ? `line ${where.line} column ${where.column}` : 'end of file';
  fail(file, place, `not valid JSON (${reason}); ${EXPECTED}`);
}
