#!/usr/bin/env node
import { CommanderError } from 'commander';
import { firstLine, isInputError } from '../core/errors.ts';
import { EXIT } from './errors.ts';
import { buildProgram } from './program.ts';
import { createCliState } from './state.ts';

/** Prints `Error: …` on one line and picks the exit code: 2 for bad input, 1 for anything else. */
function fail(error: unknown): number {
  process.stderr.write(`Error: ${firstLine(error)}\n`);
  if (process.env.FANOUT_DEBUG && process.env.FANOUT_DEBUG !== '0' && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  const exitCode = (error as { exitCode?: unknown })?.exitCode;
  if (typeof exitCode === 'number') return exitCode;
  return isInputError(error) ? EXIT.usage : EXIT.failure;
}

/** Built once here, passed to every command. */
const state = createCliState();

/** How long open handles (a server or timer a config or tool left running) may outlive a finished command. */
const LINGER_MS = 2000;
let pending = 0;

/**
 * Ends the process once the command has settled and written everything (writes are synchronous), even when a
 * user's config or tool left a handle open; says so, since that handle is theirs to close.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write('Note: something your config or tools started (a server, a timer) was still open; exiting\n');
    process.exit(code);
  }, LINGER_MS).unref();
}

function settle(result: Promise<number>): void {
  pending++;
  result.then(
    (code) => {
      pending--;
      exitSoon(code);
    },
    (error: unknown) => {
      pending--;
      exitSoon(fail(error));
    },
  );
}

// The event loop emptied while a command was still waiting: a promise that can never settle (a user executor's
// create() or run() that never resolves, with nothing else pending). That is a failure, never a silent exit 0.
process.on('beforeExit', () => {
  if (pending === 0) return;
  pending = 0;
  const user = state.preflight.waitingOn;
  if (user) {
    process.stderr.write(`Error: ${user} never settles (a promise nothing can resolve); fix it in your config\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  process.stderr.write(
    'Error: the run stopped waiting on a promise that can never settle (an executor or tool that never resolves?)\n',
  );
  process.exitCode = EXIT.failure;
});

const program = buildProgram(settle, state);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = fail(error);
  }
}
