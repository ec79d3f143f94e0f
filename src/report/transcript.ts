import { toolContent } from '../agent/provider.ts';
import { type AgentRun, type AgentStep, type ApiMode, isAnthropicApi } from '../agent/types.ts';
import type { Email } from '../tools/catalog.ts';
import { formatMs } from './format.ts';

/** A turn's calls and their answers as its API carries them: what the reference tutorials print per API. */
function exchangeLines(step: AgentStep, api: ApiMode): string[] {
  const contents = step.outcomes.map((o) => toolContent(o));
  if (isAnthropicApi(api)) {
    // Claude: the tool_use blocks of the response, then every result as a tool_result block in one user message
    const results = step.outcomes.map((o, i) => ({
      type: 'tool_result',
      tool_use_id: o.id,
      content: contents[i],
      ...(o.status === 'ok' ? {} : { is_error: true }),
    }));
    return [
      `Claude requested ${step.calls.length} parallel call(s)`,
      ...step.calls.map((call) => `  → tool_use ${call.name} ${call.arguments}  [${call.id}]`),
      '----------',
      `User: ${JSON.stringify(results, null, 2)}`,
      '----------',
    ];
  }
  if (api === 'responses' || api === 'responses-stream') {
    const outputs = step.outcomes.map((o, i) => ({ type: 'function_call_output', call_id: o.id, output: contents[i] }));
    return [
      ...step.calls.map((call) => `  → function_call ${call.name}(${call.arguments})  [${call.id}]`),
      '----------',
      `Input: ${JSON.stringify(outputs, null, 2)}`,
      '----------',
    ];
  }
  const results = step.outcomes.map((o, i) => ({ id: o.id, result: JSON.parse(contents[i] ?? 'null') as unknown }));
  return [
    ...step.calls.map((call) => `  → ${call.name}(${call.arguments})  [${call.id}]`),
    '----------',
    `Function call results: ${JSON.stringify(results, null, 2)}`,
    '----------',
  ];
}

function stepText(step: AgentStep, executor: string, api: ApiMode): string {
  const lines = [`[Step ${step.index}] Agent: ${step.text || (step.calls.length > 0 ? '(tool calls)' : '')}`];
  const timing = [`model ${formatMs(step.modelMs)} ms`];
  if (step.streamMs !== undefined) timing.push(`stream to last call ${formatMs(step.streamMs)} ms`);
  if (step.calls.length > 0) {
    lines.push(...exchangeLines(step, api));
    timing.push(`${step.outcomes.length} tool call(s) with ${executor} ${formatMs(step.toolsMs)} ms`);
  }
  if (step.errorSummary) lines.push(`  errors: ${step.errorSummary}`);
  for (const warning of step.warnings) lines.push(`  warning: ${warning}`);
  lines.push(`  (${timing.join(', ')})`);
  return lines.join('\n');
}

/**
 * The transcript the reference tutorials print: question, each step with its calls and results in its API's own
 * shape (chat's results list, Responses' `function_call_output` items, Claude's `tool_result` blocks), answer,
 * mailbox.
 */
export function serializeTranscript(
  run: AgentRun,
  executor: string,
  mailbox: readonly Email[],
  api: ApiMode = 'chat',
): string {
  const parts = [`Q: ${run.question}`, ...run.steps.map((s) => stepText(s, executor, api))];
  if (run.status === 'answered') parts.push(`A:\n${run.answer}`);
  else parts.push(`Stopped after ${run.steps.length} steps without an answer (raise --max-steps)`);
  if (mailbox.length > 0) parts.push(`Mail box:\n${JSON.stringify(mailbox, null, 2)}`);
  parts.push(
    `Total ${formatMs(run.totalMs)} ms: model ${formatMs(run.modelMs)} ms, tools ${formatMs(run.toolsMs)} ms, ${run.steps.length} steps`,
  );
  return `${parts.join('\n\n')}\n`;
}
