import { join } from 'node:path';
import { runBench } from '../bench/session.ts';
import { preflightExecutors } from '../config/preflight.ts';
import { EXPORTERS, type ExportFormat } from '../report/index.ts';
import { serialize as serializeTables } from '../report/table.ts';
import type { CellError, ResultsDocument } from '../results/document.ts';
import { writeFileAtomic } from '../results/store.ts';
import { ResultsWriter } from '../results/writer.ts';
import { EXIT, UsageError } from './errors.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { resolveBenchConfig } from './options.ts';
import { checkOutDir, checkOutputs, DEFAULT_BASELINE, tableOptions } from './outputs.ts';
import { profileWarnings } from './profile-flags.ts';
import { formatDuration, progressRenderer } from './progress.ts';
import { type QueueFlags, resolveQueueFlags } from './queue-options.ts';
import { REPORT_FILE, writeReport } from './report-command.ts';
import { type CliState, runInputs } from './state.ts';

export interface BenchFlags extends MatrixFlags, QueueFlags {
  out: string;
  json?: boolean;
  quiet?: boolean;
  wide?: boolean;
  exportJson?: string;
  exportCsv?: string;
  exportMarkdown?: string;
  exportOtlp?: string;
  force?: boolean;
  /** Also write the HTML report beside latest.json. */
  report?: boolean;
}

/**
 * Aborts on the first Ctrl-C (the run stops after the current sample); a second one exits at once. `then` says
 * what happens next, e.g. which cells are kept.
 */
export function interruptSignal(then = 'then writing the finished cells'): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\nInterrupted: finishing the current sample, ${then} (Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function writeExports(document: ResultsDocument, flags: BenchFlags): string[] {
  const targets: [ExportFormat, string | undefined][] = [
    ['json', flags.exportJson],
    ['csv', flags.exportCsv],
    ['markdown', flags.exportMarkdown],
    ['otlp', flags.exportOtlp],
  ];
  const written: string[] = [];
  for (const [format, path] of targets) {
    if (!path) continue;
    writeFileAtomic(path, EXPORTERS[format](document));
    written.push(path);
  }
  return written;
}

export async function benchCommand(flags: BenchFlags, state: CliState): Promise<number> {
  const config = resolveBenchConfig(flags, state);
  if (flags.exportOtlp && !config.agent) {
    throw new UsageError('`--export-otlp` writes agent runs as traces; add `--mode agent` (or a scenario)');
  }
  checkOutDir('--out', flags.out);
  checkOutputs(
    [
      { flag: '--out', path: join(flags.out, 'latest.json') },
      ...(flags.exportJson ? [{ flag: '--export-json', path: flags.exportJson }] : []),
      ...(flags.exportCsv ? [{ flag: '--export-csv', path: flags.exportCsv }] : []),
      ...(flags.exportMarkdown ? [{ flag: '--export-markdown', path: flags.exportMarkdown }] : []),
      ...(flags.exportOtlp ? [{ flag: '--export-otlp', path: flags.exportOtlp }] : []),
      ...(flags.report ? [{ flag: '--report (beside latest.json)', path: join(flags.out, REPORT_FILE) }] : []),
    ],
    [{ what: 'the baseline', path: DEFAULT_BASELINE }],
    flags.force === true,
  );
  const reportPath = join(flags.out, REPORT_FILE);
  const queue = await resolveQueueFlags(flags, config.executors, config.limits, state.registries.executors);
  if (queue) config.queue = queue.record;
  await preflightExecutors(config.executors, config.limits, {
    registries: state.registries,
    watch: state.preflight,
    ...(queue ? { queue: queue.settings } : {}),
  });
  // quiet drops progress, never a warning
  for (const warning of profileWarnings(config, state.registries)) process.stderr.write(`${warning}\n`);
  const progress = progressRenderer();
  const interrupt = interruptSignal();
  let writer: ResultsWriter | undefined;
  let document: ResultsDocument;
  try {
    document = await runBench(config, {
      ...runInputs(state),
      ...(queue ? { queue: queue.settings } : {}),
      signal: interrupt.signal,
      ...(flags.quiet ? {} : { onEvent: progress.onEvent }),
      onDocument: (doc) => {
        writer ??= new ResultsWriter(flags.out, doc.createdAt);
        writer.write(doc);
      },
    });
  } finally {
    progress.done();
    interrupt.dispose();
  }
  const exported = writeExports(document, flags);
  if (flags.exportOtlp) {
    // a trace holds the cells' median runs: a cell without one (an error, a run over 256 calls) is not in it
    const left = document.cells.filter((c) => !(c.status === 'ok' && c.agent && c.timeline)).map((c) => c.id);
    if (left.length > 0) {
      process.stderr.write(
        `Warning: --export-otlp: ${left.length} of ${document.cells.length} cells have no run to trace (an error, or over 256 calls): ${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''}\n`,
      );
    }
  }
  if (flags.json) {
    // process.stdout, not fd 1 directly: a pipe's fd is non-blocking and a large document would be cut (EAGAIN)
    process.stdout.write(EXPORTERS.json(document));
  } else {
    process.stdout.write(serializeTables(document, tableOptions(flags)));
    process.stdout.write(
      `\nWall time ${formatDuration(document.wallTimeMs)} (${(document.wallTimeMs / 1000).toFixed(1)} s)\n`,
    );
  }
  if (!flags.quiet) {
    process.stderr.write(
      `Results: ${writer?.latestPath} (copy: ${writer?.runPath})${exported.length ? `; exported ${exported.join(', ')}` : ''}\n`,
    );
  }
  // after the results are safe: a report that cannot be drawn loses nothing measured
  if (flags.report) await writeReport(reportPath, document, {}, flags.quiet);
  if (document.status === 'interrupted') {
    process.stderr.write(`Interrupted: ${document.cells.length} finished cells kept in ${writer?.runPath}\n`);
    return EXIT.interrupted;
  }
  const failed = document.cells.filter((c) => c.status === 'error');
  if (failed.length > 0) {
    const [first, ...others] = failed as CellError[];
    const more = others.length > 0 ? ` (and ${others.length} more: ${others.map((c) => c.id).join(', ')})` : '';
    process.stderr.write(`Error: ${first?.id} could not be measured: ${first?.error}${more}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
