import { Command, Option } from 'commander';
import { ownVersion } from '../results/environment.ts';
import { benchCommand } from './bench-command.ts';
import { listText } from './list-command.ts';

export type CommandResult = Promise<number>;

/** Adds the matrix flags shared by every command that measures. */
export function addMatrixOptions(command: Command): Command {
  return command
    .option('--suite <name>', 'suite from bench/suites.ts whose settings the other flags override', 'default')
    .option('--executors <list>', 'strategies, e.g. sequential,promise-all,limited,worker-pool(2)')
    .option('--calls <list>', 'call counts per batch, e.g. 1,2,4,8,16')
    .option('--limits <list>', 'limits for strategies given without one, e.g. 2,4,8')
    .option('--kind <list>', 'workload kind: io, cpu or io,cpu')
    .option('--latency <ms>', 'nominal latency of one tool call in ms')
    .addOption(new Option('--profile <name>', 'latency profile').choices(['fixed', 'uniform', 'long-tail']))
    .option('--seed <n>', 'seed of every random draw (latencies, faults)')
    .option('--iterations <n>', 'interleaved rounds per cell (samples per cell)')
    .option('--fail-rate <p>', 'share of calls that throw (0..1)')
    .option('--crash-rate <p>', 'share of calls that kill their worker thread (0..1)')
    .option('--hang-rate <p>', 'share of calls that never settle (0..1); needs a timeout (not yet available)');
}

/** The commander program: parses flags and hands typed options to one command function each. */
export function buildProgram(run: (result: CommandResult) => void): Command {
  const program = new Command('fanout-bench')
    .description('Measure executor strategies for the parallel tool calls an LLM returns')
    .version(ownVersion())
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // commander's own errors (unknown option, bad choice) as one line that names the fix
      writeErr: (text) =>
        process.stderr.write(
          text.startsWith('error: ') ? `Error: ${text.slice(7).trimEnd()} (see \`fanout-bench --help\`)\n` : text,
        ),
    });

  addMatrixOptions(program.command('bench').description('run a benchmark matrix and write results/'))
    .option('--out <dir>', 'directory for latest.json and the timestamped copy', 'results')
    .option('--json', 'print the results document on stdout instead of tables')
    .option('-q, --quiet', 'no progress and no file notes on stderr')
    .option('--export-json <file>', 'also write the results document to FILE')
    .option('--export-csv <file>', 'also write one CSV row per cell to FILE')
    .option('--export-markdown <file>', 'also write the tables as Markdown to FILE')
    .action((flags) => run(benchCommand(flags)));

  program
    .command('list')
    .description('list strategies, tools, latency profiles and suites')
    .action(() => {
      process.stdout.write(listText());
      run(Promise.resolve(0));
    });

  return program;
}
