import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { configDifferences } from '../gate/decide.ts';
import { renderReport } from '../report/html.ts';
import type { ResultsDocument } from '../results/document.ts';
import { readResults, requireComparable, requireSameIdeals, writeFileAtomic } from '../results/store.ts';
import { noteDifferences } from './compare-command.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkOutputs, DEFAULT_BASELINE } from './outputs.ts';

export interface ReportFlags {
  out?: string;
  open?: boolean;
  quiet?: boolean;
}

/** Where `bench --report` and `report` write unless told: `report.html` beside the (first) results file. */
export const REPORT_FILE = 'report.html';

/** A report is a page: refuse a name a browser would not open as one (and a results file by mistake). */
export function checkReportPath(flag: string, path: string, reads: readonly string[] = []): void {
  if (extname(path).toLowerCase() !== '.html') {
    throw new UsageError(`\`${flag} ${path}\`: a report is an HTML page; name a file ending in .html`);
  }
  checkOutputs(
    [{ flag, path }],
    [
      { what: 'the baseline', path: DEFAULT_BASELINE },
      ...reads.map((p) => ({ what: `the results file ${p}`, path: p })),
    ],
  );
}

/** Hands the page to the desktop's browser; a machine without one gets the path to open by hand. */
function openInBrowser(path: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [path]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', path]]
        : ['xdg-open', [path]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`Could not start a browser (${command}); open ${path} by hand\n`));
  child.unref();
}

/** Renders and writes a report atomically; says where, how big, and how long it took. */
export async function writeReport(
  path: string,
  results: ResultsDocument,
  options: Parameters<typeof renderReport>[1],
  quiet = false,
): Promise<void> {
  const started = performance.now();
  const html = await renderReport(results, options);
  writeFileAtomic(path, html);
  if (!quiet) {
    const kb = (statSync(path).size / 1024).toFixed(0);
    process.stderr.write(
      `Report: ${path} (${kb} KB, rendered in ${((performance.now() - started) / 1000).toFixed(2)} s)\n`,
    );
  }
}

/** `report [a.json [b.json]] --out FILE [--open]`: one run's page, or two runs compared. */
export async function reportCommand(files: readonly string[], flags: ReportFlags): Promise<number> {
  if (files.length > 2) {
    throw new UsageError('`report` takes one results file, or two to compare (A then B); pass at most two');
  }
  const inputs = files.length > 0 ? [...files] : ['results/latest.json'];
  const out = flags.out ?? join(dirname(inputs[0] as string), REPORT_FILE);
  checkReportPath('--out', out, inputs);
  const [a, b] = inputs.map((file) => readResults(file)) as [ResultsDocument, ResultsDocument | undefined];
  let differences: string[] = [];
  if (b) {
    // a comparison holds complete runs to the same rules as `compare`
    requireComparable(a, inputs[0] as string, 'A');
    requireComparable(b, inputs[1] as string, 'B');
    requireSameIdeals(a, inputs[0] as string, { document: b, path: inputs[1] as string });
    differences = flags.quiet ? configDifferences(a.config, b.config) : noteDifferences(a, b);
  }
  const options = { sources: inputs, ...(b ? { compareWith: b, differences } : {}) };
  await writeReport(out, a, options, flags.quiet);
  if (flags.open) openInBrowser(resolve(out));
  return EXIT.ok;
}
