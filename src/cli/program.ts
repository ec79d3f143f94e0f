import { Command, Option } from 'commander';
import { setupConfig } from '../config/load.ts';
import { ownVersion } from '../results/environment.ts';
import { benchCommand } from './bench-command.ts';
import { bisectCommand } from './bisect-command.ts';
import { compareCommand } from './compare-command.ts';
import { baselineCommand, DEFAULT_BASELINE, gateCommand } from './gate-command.ts';
import { listText } from './list-command.ts';
import { probeCommand } from './probe-command.ts';
import { addQueueOptions, addRedisOptions } from './queue-options.ts';
import { replayCommand } from './replay-command.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';
import { type CliState, createCliState } from './state.ts';
import { verifyCommand } from './verify-command.ts';
import { workerCommand } from './worker-command.ts';

export type CommandResult = Promise<number>;

/** Adds the matrix flags of the commands that measure a matrix (bench, baseline), then the tool flags. */
export function addMatrixOptions(command: Command, suite = 'default'): Command {
  command
    .option('--suite <name>', 'suite from bench/suites.ts whose settings the other flags override', suite)
    .option('--executors <list>', 'strategies, e.g. sequential,promise-all,limited,worker-pool(2)')
    .option('--calls <list>', 'call counts per batch, e.g. 1,2,4,8,16')
    .option('--limits <list>', 'limits for strategies given without one, e.g. 2,4,8')
    .option('--iterations <n>', 'interleaved rounds per cell (samples per cell)')
    .option(
      '--no-reference',
      'skip sequential, the speedup reference (scale runs): speedups read "—", efficiency stays',
    )
    .option(
      '--tools <list>',
      'tools a batch rotates through, e.g. get_weather,get_exchange_rate (default: 4 built-ins; `list` names them)',
    )
    .option(
      '--frameworks <list>',
      "agent mode: frameworks whose own loops run beside the executors, e.g. ai-sdk,openai-agents; name@1.2.3 or name@^6 installs that release on demand, name@alias loads an npm alias's version",
    )
    .addOption(
      new Option('--mode <mode>', 'tools: single batches; agent: whole agent runs on a scenario').choices([
        'tools',
        'agent',
      ]),
    )
    .option(
      '--plan <preset|file>',
      'agent mode: an LLMCompiler plan (hotpotqa, movie, parallelqa, or a .txt/.json file) run by each --plan-modes way',
    )
    .option(
      '--plan-modes <list>',
      'with --plan: react, parallel-fc, dag, dag(k), dag+poll (every 10 ms), dag+pollNms (default react,parallel-fc,dag)',
    );
  return addToolOptions(command);
}

/** Tools, faults, policies and the agent's model: shared by every command that runs tool calls. */
export function addToolOptions(command: Command): Command {
  return withConfig(command)
    .option('--kind <list>', 'workload kind: io, cpu or io,cpu')
    .option('--latency <ms>', 'nominal latency of one tool call in ms')
    .option('--profile <name|file>', 'fixed, uniform, long-tail, or a recorded file: JSON, CSV (tool,ms), OTLP JSON')
    .option('--seed <n>', 'seed of every random draw (latencies, faults)')
    .option('--fail-rate <p>', 'share of calls that throw (0..1)')
    .option('--crash-rate <p>', 'share of calls that kill their worker thread, or queue worker process (0..1)')
    .option('--hang-rate <p>', 'share of calls that never settle (0..1); needs --timeout')
    .option('--rate-limit <q>', 'tools answer "429, retry after" beyond q calls in flight')
    .option('--timeout <ms>', 'per-call timeout; a timed-out call becomes a timeout outcome')
    .option('--retries <n>', 'extra attempts for timeouts and 429s, with exponential backoff and jitter')
    .option('--backoff <ms>', 'base of the backoff between attempts (default 50)')
    .addOption(
      new Option(
        '--error-policy <name>',
        "as-result: a failure is that call's answer; fail-fast: it cancels the siblings",
      ).choices(['as-result', 'fail-fast']),
    )
    .option('--ignore-abort', 'tools ignore their AbortSignal: timed-out work keeps running (uncancellable tools)')
    .option(
      '--scenario <name|path>',
      'agent mode: scenario to play (default weather-stock-news); fanout: fanout-N per --calls',
    )
    .option(
      '--api <modes>',
      'agent mode: chat, chat-stream, responses, responses-stream, messages, messages-stream; bench: a comma list or all',
    )
    .option(
      '--dispatch <when>',
      'agent mode with a streamed API: after-stream or early; bench: both (early where the API streams)',
    )
    .option('--model-latency <ms>', "agent mode: the mock model's latency per turn (default: the scenario's)")
    .option('--stream-delay <ms>', 'agent mode with a streamed API: delay between streamed chunks (a slow stream)')
    .option(
      '--model-profile <file>',
      "agent mode: each model turn's time drawn from the chat spans of a trace (OTLP JSON; GenAI or AI SDK spans)",
    )
    .option(
      '--tokens-per-second <n>',
      "agent mode: the model's output rate after the first token (~4 characters a token; default: the scenario's, else at once)",
    );
}

/** `--config`: every command that runs tools or executors may take the user's config. */
export function withConfig(command: Command): Command {
  return command.option(
    '--config <file>',
    'fanout.config.{ts,mts,js,mjs} to load (default: the one in this directory)',
  );
}

/** The commander program: parses flags and hands typed options to one command function each. */
export function buildProgram(run: (result: CommandResult) => void, state: CliState = createCliState()): Command {
  const program = new Command('fanout-bench')
    .description('Measure executor strategies for the parallel tool calls an LLM returns')
    .version(ownVersion())
    .showHelpAfterError(false)
    .exitOverride()
    // the user's config registers its executors, tools and suites before any command parses its names
    .hook('preAction', async (_program, action) => {
      if (action.name() === 'compare' || action.name() === 'report') return;
      const config = await setupConfig(action.opts().config as string | undefined, state.registries);
      if (config) state.config = config;
    })
    .configureOutput({
      // commander's own errors (unknown option, bad choice) as one line that names the fix
      writeErr: (text) =>
        process.stderr.write(
          text.startsWith('error: ') ? `Error: ${text.slice(7).trimEnd()} (see \`fanout-bench --help\`)\n` : text,
        ),
    });

  addQueueOptions(addMatrixOptions(program.command('bench').description('run a benchmark matrix and write results/')))
    .option('--out <dir>', 'directory for latest.json and the timestamped copy', 'results')
    .option('--json', 'print the results document on stdout instead of tables')
    .option(
      '-q, --quiet',
      'no progress, no file notes on stderr, no chart or answer under the tables (warnings still print)',
    )
    .option('--wide', 'tables in their full form, however wide (default: fit the terminal, else 120 columns)')
    .option('--export-json <file>', 'also write the results document to FILE')
    .option('--export-csv <file>', 'also write one CSV row per cell to FILE')
    .option('--export-markdown <file>', 'also write the tables, and what the figures say, as Markdown to FILE')
    .option(
      '--export-otlp <file>',
      "agent mode: also write each cell's median run as an OpenTelemetry GenAI trace (OTLP JSON) to FILE",
    )
    .option('--force', 'let an export write over the baseline file')
    .option('--report', 'also write report.html (charts, timelines, tables) next to latest.json')
    .action((flags) => run(benchCommand(flags, state)));

  addMatrixOptions(program.command('baseline').description('record the gate suite into the baseline file'), 'gate')
    .option('--file <path>', 'baseline file to write', DEFAULT_BASELINE)
    .option('--force', 'replace an existing baseline')
    .option('-q, --quiet', 'no progress on stderr')
    .action((flags) => run(baselineCommand(flags, state)));

  withConfig(program.command('gate'))
    .description("measure the baseline's suite again and fail (exit 1) on a regressed speedup")
    .option('--baseline <file>', 'baseline results', DEFAULT_BASELINE)
    .option('--current <file>', 'judge this results file instead of measuring (no re-measuring)')
    .option('--tolerance <share>', 'allowed speedup drop below the baseline', '0.05')
    .option('--min-efficiency <share>', "floor for every cell's efficiency", '0.9')
    .option('--no-rerun', 'fail at once instead of re-measuring failing cells to confirm')
    .option(
      '--with <list>',
      "measure these framework versions in place of the baseline's of the same name, e.g. openai-runtools@openai-next",
    )
    .option('--out <dir>', 'directory for gate-latest.json and the timestamped copy', 'results')
    .option('--summary <file>', 'also write the Markdown summary to FILE ($GITHUB_STEP_SUMMARY gets it when set)')
    .option('--export-benchmark-action <file>', 'write github-action-benchmark customBiggerIsBetter JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--wide', 'tables in their full form, however wide (default: fit the terminal, else 120 columns)')
    .action((flags) => run(gateCommand(flags, state)));

  program
    .command('compare')
    .description('print two results files side by side per cell')
    .argument('<a>', 'results file A (e.g. the older one)')
    .argument('<b>', 'results file B')
    .option('--wide', 'tables in their full form, however wide (default: fit the terminal, else 120 columns)')
    .action((a: string, b: string, flags: { wide?: boolean }) => run(compareCommand(a, b, flags)));

  program
    .command('report')
    .description('write an HTML report (charts, call timelines, tables) of a results file, or compare two')
    .argument('[files...]', 'results file(s): one run, or A then B to compare (default: results/latest.json)')
    .option('--out <file>', 'the page to write (default: report.html beside the first file)')
    .option('--open', 'open the page in the desktop browser')
    .option('-q, --quiet', 'no note on stderr')
    .action((files: string[], flags) => run(reportCommand(files, flags)));

  addToolOptions(program.command('run').description('run one agent conversation and print its transcript'))
    .option('--executor <name>', 'strategy for the tool calls, e.g. promise-all or limited(4)', 'promise-all')
    .option('--max-steps <n>', 'stop a loop that never answers after this many model turns', '10')
    .option('--no-parallel-tool-calls', 'send parallel_tool_calls: false (the model returns one call per turn)')
    .option(
      '--stop-when-all-fail',
      'end the run (exit 1) when every call of a turn failed; by default the failures go back to the model',
    )
    .option(
      '--base-url <url>',
      'live mode: a server instead of the mock (key from OPENAI_API_KEY; ANTHROPIC_API_KEY with --api messages*)',
    )
    .option('--model <name>', 'live mode: the model name')
    .option('--question <text>', "live mode: the question (default: the scenario's)")
    .option('--export-otlp <file>', 'also write the conversation as an OpenTelemetry GenAI trace (OTLP JSON) to FILE')
    .action((flags) => run(runCommand(flags, state)));

  addQueueOptions(withConfig(program.command('verify')))
    .description('check that an executor keeps the rules every strategy keeps (exit 1 when one fails)')
    .option(
      '--executor <name>',
      'executor to check, e.g. limited(2) or one from your config (one that takes a limit and names none gets 2)',
    )
    .option('--latency <ms>', 'latency of the simulated tools in the checks', '20')
    .option('--calls <n>', 'calls per batch in the checks', '6')
    .action((flags) => run(verifyCommand(flags, state)));

  addRedisOptions(withConfig(program.command('worker')))
    .description("serve queue(k)'s tool calls from Redis, here or on another machine, until Ctrl-C")
    .option('--concurrency <n>', 'jobs this worker runs at once', '1')
    .action((flags) => run(workerCommand(flags)));

  withConfig(program.command('replay'))
    .description('play the agent runs of a trace (OTLP JSON) again with each strategy: recorded time beside each')
    .argument('<file>', 'OTLP JSON or JSON lines: GenAI spans (invoke_agent, chat, execute_tool) or the AI SDK’s')
    .option('--executors <list>', 'strategies to replay with, each with its limit', 'sequential,promise-all,limited(2)')
    .option('--frameworks <list>', 'frameworks whose own loops replay the runs too (Chat Completions, not streamed)')
    .option('--iterations <n>', 'interleaved rounds per run and strategy', '3')
    .option('--seed <n>', 'seed of every random draw')
    .option('--json', 'print a results document (one cell per recorded run and strategy) instead of the table')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--wide', 'tables in their full form, however wide (default: fit the terminal, else 120 columns)')
    .action((file: string, flags) => run(replayCommand(file, flags, state)));

  withConfig(program.command('bisect'))
    .description('find the first release of a framework at which a metric changed, between two releases')
    .argument('<framework>', 'a framework adapter, e.g. openai-runtools, openai-agents, ai-sdk, mastra')
    .argument('<from>', 'the older release of its main package, e.g. 6.30.1')
    .argument('<to>', 'the newer release, e.g. 6.49.0')
    .addOption(
      new Option('--metric <name>', 'speedup at N calls, overhead per call at N, or the growth exponent b')
        .choices(['speedup', 'overhead', 'growth'])
        .default('speedup'),
    )
    .option('--scenario <name|path>', 'scenario to play (default fanout: one turn of N calls)')
    .option('--calls <list>', 'call count(s); growth needs 3+ spanning 10x (default 8; growth 10,100,1000)')
    .option('--latency <ms>', 'tool latency in ms (default 50; growth 0)')
    .option('--iterations <n>', 'interleaved rounds per release')
    .option('--seed <n>', 'seed of every random draw')
    .option(
      '--tolerance <x>',
      'a change must exceed this: relative for speedup and overhead (0.05), absolute for b (0.2)',
    )
    .option('--prerelease', 'also try pre-releases between the two')
    .option('--out <dir>', 'directory for bisect-latest.json and the timestamped copy', 'results')
    .option('--json', 'print the results document of everything measured instead of the verdict')
    .option('-q, --quiet', 'no progress on stderr')
    .action((framework: string, from: string, to: string, flags) =>
      run(bisectCommand(framework, from, to, flags, state)),
    );

  program
    .command('probe')
    .description('what each framework does with a turn of calls: errors, cancellation, result order, signals, limits')
    .option('--frameworks <list>', 'frameworks to probe, e.g. ai-sdk,mastra (default: every one installed here)')
    .option('--json', 'print the probe results as JSON')
    .option('--wide', 'tables in their full form, however wide (default: fit the terminal, else 120 columns)')
    .action((flags) => run(probeCommand(flags, state)));

  withConfig(program.command('list'))
    .description('list strategies, tools, latency profiles and suites')
    .action(() => {
      process.stdout.write(listText(state));
      run(Promise.resolve(0));
    });

  return program;
}
