/**
 * References from a scripted call's argument to an earlier call's result: `{{call_id.field.sub}}` anywhere in a
 * string argument is replaced by that field of the JSON result the client sent back for `call_id`.
 */
export interface Reference {
  /** The exact text, e.g. `{{profile.email}}`. */
  text: string;
  callId: string;
  /** Field names or array indices; empty means the whole result. */
  path: string[];
}

export type Substitution = { ok: true; value: string } | { ok: false; reason: string };

const REFERENCE = /\{\{\s*([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

export function findReferences(value: string): Reference[] {
  return [...value.matchAll(REFERENCE)].map((match) => ({
    text: match[0],
    callId: match[1] ?? '',
    path: (match[2] ?? '').split('.').filter((part) => part !== ''),
  }));
}

/** Replaces every reference in `value`; `results` maps call ids to the tool message content the client sent. */
export function substitute(value: string, results: ReadonlyMap<string, string>): Substitution {
  let out = value;
  for (const reference of findReferences(value)) {
    const resolved = resolve(reference, results);
    if (!resolved.ok) return resolved;
    out = out.replace(reference.text, () => resolved.value);
  }
  return { ok: true, value: out };
}

/** A deep copy of a JSON value with every string (not object keys) passed through `map`. */
export function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

/** References in every string inside a JSON value (arrays and objects walked). */
export function findReferencesDeep(value: unknown): Reference[] {
  const found: Reference[] = [];
  mapStrings(value, (text) => {
    found.push(...findReferences(text));
    return text;
  });
  return found;
}

/** {@link substitute} in every string inside a JSON value; the first reference that cannot be filled fails it. */
export function substituteDeep(
  value: unknown,
  results: ReadonlyMap<string, string>,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (typeof value === 'string') return substitute(value, results);
  if (Array.isArray(value) || isRecord(value)) {
    const out: unknown = Array.isArray(value) ? [] : {};
    for (const [key, item] of Object.entries(value)) {
      const filled = substituteDeep(item, results);
      if (!filled.ok) return filled;
      (out as Record<string, unknown>)[key] = filled.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value };
}

function resolve(reference: Reference, results: ReadonlyMap<string, string>): Substitution {
  const label = `the result of call "${reference.callId}"`;
  const content = results.get(reference.callId);
  if (content === undefined) return { ok: false, reason: `${label} is missing` };
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return { ok: false, reason: `${label} is not JSON` };
  }
  // The agent loop answers a failed call with `{"error": "..."}`; a reference cannot use it.
  if (isRecord(data) && 'error' in data) {
    const detail = typeof data.error === 'string' ? `: ${data.error}` : '';
    return { ok: false, reason: `${label} is an error${detail}` };
  }
  let current: unknown = data;
  for (const key of reference.path) {
    if (!isRecord(current) && !Array.isArray(current)) current = undefined;
    else current = (current as Record<string, unknown>)[key];
    if (current === undefined) return { ok: false, reason: `${label} has no field "${reference.path.join('.')}"` };
  }
  return { ok: true, value: typeof current === 'string' ? current : JSON.stringify(current) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
