import { Command, Option } from 'commander';
import { ownVersion } from '../results/environment.ts';
import { benchCommand } from './bench-command.ts';
import { compareCommand } from './compare-command.ts';
import { baselineCommand, DEFAULT_BASELINE, gateCommand } from './gate-command.ts';
import { listText } from './list-command.ts';

export type CommandResult = Promise<number>;

/** Adds the matrix flags shared by every command that measures. */
export function addMatrixOptions(command: Command, suite = 'default'): Command {
  return command
    .option('--suite <name>', 'suite from bench/suites.ts whose settings the other flags override', suite)
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

  addMatrixOptions(program.command('baseline').description('record the gate suite into the baseline file'), 'gate')
    .option('--file <path>', 'baseline file to write', DEFAULT_BASELINE)
    .option('--force', 'replace an existing baseline')
    .option('-q, --quiet', 'no progress on stderr')
    .action((flags) => run(baselineCommand(flags)));

  program
    .command('gate')
    .description("measure the baseline's suite again and fail (exit 1) on a regressed speedup")
    .option('--baseline <file>', 'baseline results', DEFAULT_BASELINE)
    .option('--current <file>', 'judge this results file instead of measuring (no re-measuring)')
    .option('--tolerance <share>', 'allowed speedup drop below the baseline', '0.05')
    .option('--min-efficiency <share>', "floor for every cell's efficiency", '0.9')
    .option('--no-rerun', 'fail at once instead of re-measuring failing cells to confirm')
    .option('--out <dir>', 'directory for gate-latest.json and the timestamped copy', 'results')
    .option('--summary <file>', 'also write the Markdown summary to FILE ($GITHUB_STEP_SUMMARY gets it when set)')
    .option('--export-benchmark-action <file>', 'write github-action-benchmark customBiggerIsBetter JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .action((flags) => run(gateCommand(flags)));

  program
    .command('compare')
    .description('print two results files side by side per cell')
    .argument('<a>', 'results file A (e.g. the older one)')
    .argument('<b>', 'results file B')
    .action((a: string, b: string) => run(compareCommand(a, b)));

  program
    .command('list')
    .description('list strategies, tools, latency profiles and suites')
    .action(() => {
      process.stdout.write(listText());
      run(Promise.resolve(0));
    });

  return program;
}
