#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.ts';
import { buildProgram } from './program.ts';

/** Errors of bad input (flags, files, configs): exit 2, as `UsageError`. */
const USAGE_ERRORS = new Set(['ResultsFileError', 'ConfigError', 'ProfileError', 'ScenarioError']);

/** Prints `Error: …` on one line and picks the exit code: 2 for bad input, 1 for anything else. */
function fail(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: ${message.split('\n')[0]}\n`);
  if (process.env.FANOUT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  const exitCode = (error as { exitCode?: unknown })?.exitCode;
  if (typeof exitCode === 'number') return exitCode;
  return error instanceof UsageError || USAGE_ERRORS.has((error as Error)?.name) ? EXIT.usage : EXIT.failure;
}

function settle(result: Promise<number>): void {
  result.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = fail(error);
    },
  );
}

const program = buildProgram(settle);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = fail(error);
  }
}
