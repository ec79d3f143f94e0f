import { InputError } from '../core/errors.ts';
/** Bad flags or input: printed as one line, exit code 2. */
export class UsageError extends InputError {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
