import { APIConnectionError } from 'openai';
import { AgentSession, type ModelTarget } from '../agent/session.ts';
import { type ApiMode, DEFAULT_MAX_STEPS, isAnthropicApi } from '../agent/types.ts';
import { agentTiming, runSpans } from '../bench/agent-matrix.ts';
import { matrixOptionsFromConfig } from '../bench/session.ts';
import { preflightExecutors } from '../config/preflight.ts';
import { errorMessage } from '../core/errors.ts';
import { parseSpec } from '../executors/registry.ts';
import { isAnthropicConnectionError } from '../model/anthropic-sdk.ts';
import { FANOUT_FAMILY, loadScenario } from '../model/load.ts';
import { otlpTrace } from '../report/otlp.ts';
import { serializeTranscript } from '../report/transcript.ts';
import { ownVersion } from '../results/environment.ts';
import { writeFileAtomic } from '../results/store.ts';
import { toolRuntimeConfig } from '../tools/config.ts';
import { calibrateCpu } from '../tools/cpu.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { EXIT, UsageError } from './errors.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { resolveBenchConfig } from './options.ts';
import { checkOutputs, DEFAULT_BASELINE } from './outputs.ts';
import { parseWhole } from './parse.ts';
import { type CliState, runInputs } from './state.ts';

export interface RunFlags extends MatrixFlags {
  executor: string;
  exportOtlp?: string;
  maxSteps?: string;
  parallelToolCalls: boolean;
  baseUrl?: string;
  model?: string;
  question?: string;
  stopWhenAllFail?: boolean;
}

function liveTarget(flags: RunFlags, scenario: string, api: ApiMode, tools: ToolRegistry): ModelTarget {
  try {
    const url = new URL(flags.baseUrl as string);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`\`--base-url ${flags.baseUrl}\` is not an http(s) URL; e.g. http://127.0.0.1:8080/v1`);
  }
  if (!flags.model) throw new UsageError('`--base-url` needs `--model NAME` (the model the server should run)');
  // the SDK of the API reads its own key: Anthropic's appends /v1/messages to the base URL
  const keyName = isAnthropicApi(api) ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const apiKey = process.env[keyName];
  if (!apiKey) throw new UsageError(`Live mode reads the key from ${keyName}; set it (any value for a local server)`);
  // the question defaults to the scenario's (the default scenario's without `--scenario`), as the README says
  const question = flags.question ?? loadScenario(scenario, tools).question;
  return { kind: 'live', baseURL: flags.baseUrl as string, model: flags.model, apiKey, question };
}

/** One agent run with a transcript: each step, the calls, the results, the answer, the mailbox. */
/** The scenario (or live model) a run plays, as its trace names it. */
function agentScenarioName(target: ModelTarget): string {
  return target.kind === 'mock' ? target.scenario.name : target.model;
}

export async function runCommand(flags: RunFlags, state: CliState): Promise<number> {
  if (flags.exportOtlp)
    checkOutputs(
      [{ flag: '--export-otlp', path: flags.exportOtlp }],
      [{ what: 'the baseline', path: DEFAULT_BASELINE }],
    );
  if (!flags.baseUrl) {
    const live = flags.model !== undefined ? '--model' : flags.question !== undefined ? '--question' : undefined;
    if (live)
      throw new UsageError(`\`${live}\` is for live mode; add \`--base-url URL\` (the mock plays the scenario)`);
  }
  let spec: ReturnType<typeof parseSpec>;
  try {
    spec = parseSpec(flags.executor, state.registries.executors);
  } catch (error) {
    throw new UsageError(`${errorMessage(error)} (in \`--executor\`)`);
  }
  const config = resolveBenchConfig({ ...flags, suite: 'default', mode: 'agent', executors: flags.executor }, state);
  const agent = config.agent;
  if (!agent) throw new UsageError('internal: agent settings missing');
  if (agent.modes) {
    throw new UsageError('`run` plays one conversation in one mode; pass one `--api` and one `--dispatch`');
  }
  if (agent.scenario === FANOUT_FAMILY) {
    throw new UsageError('`run` plays one conversation; name one scenario, e.g. `--scenario fanout-8`');
  }
  if (spec.limit === undefined && state.registries.executors.definition(spec.strategy).takesLimit) {
    throw new UsageError(`\`--executor ${spec.strategy}\` needs a limit, e.g. ${spec.strategy}(4)`);
  }
  await preflightExecutors(config.executors, config.limits, { registries: state.registries, watch: state.preflight });
  const kind = config.kinds[0] ?? 'io';
  const tools = toolRuntimeConfig({
    ...matrixOptionsFromConfig(config, runInputs(state)).tools,
    kind,
    ...(kind === 'cpu' ? { cpuUnitsPerMs: calibrateCpu().unitsPerMs } : {}),
  });
  const target: ModelTarget = flags.baseUrl
    ? liveTarget(flags, agent.scenario, agent.api, state.registries.tools)
    : {
        kind: 'mock',
        scenario: loadScenario(agent.scenario, state.registries.tools),
        timing: agentTiming(agent, tools.seed),
      };
  const session = await AgentSession.start({
    target,
    executor: spec,
    tools,
    api: agent.api,
    dispatch: agent.dispatch,
    parallelToolCalls: flags.parallelToolCalls,
    maxSteps: flags.maxSteps === undefined ? DEFAULT_MAX_STEPS : parseWhole('--max-steps', flags.maxSteps, 1, 1000),
    ...(flags.stopWhenAllFail ? { stopWhenAllFail: true } : {}),
    ...(config.policy ? { policy: config.policy } : {}),
    toolRegistry: state.registries.tools,
    executorRegistry: state.registries.executors,
  });
  const startedAtMs = Date.now();
  try {
    const run = await session.run().catch((error: unknown) => {
      // openai's SDK says only "Connection error.": name the server and the fix
      if (flags.baseUrl && (error instanceof APIConnectionError || isAnthropicConnectionError(error))) {
        throw new UsageError(`Cannot reach ${flags.baseUrl} (${errorMessage(error)}); is the server running?`);
      }
      throw error;
    });
    process.stdout.write(serializeTranscript(run, session.executorName, session.runtime.mailbox, agent.api));
    const spans = flags.exportOtlp ? runSpans(run) : undefined;
    if (flags.exportOtlp && !spans) {
      process.stderr.write('Warning: --export-otlp: the run has no timed steps to trace; nothing written\n');
    }
    if (flags.exportOtlp && spans) {
      const calls = run.steps.flatMap((step) => step.calls.map((call) => [call.id, call.arguments] as const));
      const name = `run/${agentScenarioName(target)}/${session.executorName}`;
      const traced = { name, model: agentScenarioName(target), startedAtMs, spans, arguments: new Map(calls) };
      writeFileAtomic(flags.exportOtlp, otlpTrace([traced], ownVersion()));
    }
    return run.status === 'answered' ? EXIT.ok : EXIT.failure;
  } finally {
    await session.close();
  }
}
