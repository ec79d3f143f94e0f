import { UsageError } from './errors.ts';

/** `Expected \`--calls\` to be whole numbers ≥ 1, got \`abc\`` */
function expected(flag: string, what: string, got: string): UsageError {
  return new UsageError(`Expected \`${flag}\` to be ${what}, got \`${got}\``);
}

export function parseWhole(flag: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw expected(flag, `a whole number ${range}`, text);
  }
  return value;
}

export function parseWholeList(flag: string, text: string, min = 1, max = 10_000): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < min || Number(p) > max)) {
    throw expected(flag, `a comma-separated list of whole numbers from ${min} to ${max}`, text);
  }
  return [...new Set(parts.map(Number))];
}

/** Plain decimals only: `Number()` alone would take `0x10` as 16 and `1e-400` as 0. */
const DECIMAL = /^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

export function parseNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value) || value < min || value > max) {
    throw expected(flag, `a number from ${min} to ${max}`, text);
  }
  return value;
}

/** One of `choices`; `also` are further words the flag takes, named in the message (`all`). */
export function parseChoice<T extends string>(
  flag: string,
  text: string,
  choices: readonly T[],
  also: readonly string[] = [],
): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw expected(flag, `one of ${[...choices, ...also].join(', ')}`, text);
  }
  return text as T;
}

/** A comma list of `choices` (repeats dropped); `also` as for {@link parseChoice}. */
export function parseChoiceList<T extends string>(
  flag: string,
  text: string,
  choices: readonly T[],
  also: readonly string[] = [],
): T[] {
  return [...new Set(text.split(',').map((part) => parseChoice(flag, part.trim(), choices, also)))];
}
