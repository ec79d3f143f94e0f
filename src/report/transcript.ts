import { toolContent } from '../agent/provider.ts';
import type { AgentRun, AgentStep } from '../agent/types.ts';
import type { Email } from '../tools/catalog.ts';
import { formatMs } from './model.ts';

function stepText(step: AgentStep, executor: string): string {
  const lines = [`[Step ${step.index}] Agent: ${step.text || (step.calls.length > 0 ? '(tool calls)' : '')}`];
  const timing = [`model ${formatMs(step.modelMs)} ms`];
  if (step.streamMs !== undefined) timing.push(`stream to last call ${formatMs(step.streamMs)} ms`);
  if (step.calls.length > 0) {
    for (const call of step.calls) lines.push(`  → ${call.name}(${call.arguments})  [${call.id}]`);
    timing.push(`${step.outcomes.length} tool call(s) with ${executor} ${formatMs(step.toolsMs)} ms`);
    lines.push('----------');
    const results = step.outcomes.map((o) => ({ id: o.id, result: JSON.parse(toolContent(o)) as unknown }));
    lines.push(`Function call results: ${JSON.stringify(results, null, 2)}`);
    lines.push('----------');
  }
  if (step.errorSummary) lines.push(`  errors: ${step.errorSummary}`);
  for (const warning of step.warnings) lines.push(`  warning: ${warning}`);
  lines.push(`  (${timing.join(', ')})`);
  return lines.join('\n');
}

/** The transcript the reference tutorials print: question, each step with its calls and results, answer, mailbox. */
export function serializeTranscript(run: AgentRun, executor: string, mailbox: readonly Email[]): string {
  const parts = [`Q: ${run.question}`, ...run.steps.map((s) => stepText(s, executor))];
  if (run.status === 'answered') parts.push(`A:\n${run.answer}`);
  else parts.push(`Stopped after ${run.steps.length} steps without an answer (raise --max-steps)`);
  if (mailbox.length > 0) parts.push(`Mail box:\n${JSON.stringify(mailbox, null, 2)}`);
  parts.push(
    `Total ${formatMs(run.totalMs)} ms: model ${formatMs(run.modelMs)} ms, tools ${formatMs(run.toolsMs)} ms, ${run.steps.length} steps`,
  );
  return `${parts.join('\n\n')}\n`;
}
