/** Errors every layer raises and the CLI maps to exit codes; one way to read a message. */

/** Marks input errors across module instances (a config imported through tsx loads its own copy of this module). */
const INPUT = Symbol.for('fanout-bench.input-error');

/**
 * Bad input a user can fix (a flag, a file, a config): the CLI prints its first line and exits 2. Each kind keeps
 * its own name (`ConfigError`, `ProfileError`, …) for callers that match it.
 */
export class InputError extends Error {
  override name = 'InputError';
  readonly [INPUT] = true;
}

/** Whether `error` is an {@link InputError}, from this copy of fanout-bench or another one loaded beside it. */
export function isInputError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[INPUT] === true;
}

/** The message of anything thrown: an error's message (its name when the message is empty), else its text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The first line of an error's message: what one-line reports show. */
export function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}
