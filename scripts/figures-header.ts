/**
 * Figures files (docs/figures/*.md): a script given `--markdown FILE` writes its table there, under one line that
 * names where, on what and when the figures were measured, and the command that measured them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { type RunRegistries, runBench } from '../src/bench/session.ts';
import { progressRenderer } from '../src/cli/progress.ts';
import type { BenchConfig, ResultsDocument } from '../src/results/document.ts';
import { ResultsWriter } from '../src/results/writer.ts';

/** `Measured on <CPU model> × <cores> cores, Node <version>, <YYYY-MM-DD>: \`<command>\`.` */
export function figuresHeader(command: string, date = new Date()): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() || 'an unknown CPU';
  return `Measured on ${model} × ${cores.length} cores, Node ${process.version}, ${date.toISOString().slice(0, 10)}: \`${command}\`.`;
}

/** `--markdown FILE` taken out of a script's arguments: the file (if given) and the script's own arguments. */
export function markdownOption(argv: readonly string[]): { file: string | undefined; rest: string[] } {
  const at = argv.indexOf('--markdown');
  if (at < 0) return { file: undefined, rest: [...argv] };
  const file = argv[at + 1];
  if (!file || file.startsWith('--')) throw new Error('--markdown needs a file: --markdown docs/figures/NAME.md');
  return { file, rest: argv.filter((_, i) => i !== at && i !== at + 1) };
}

/** The command line as a user would type it: the npm script, then the script's own arguments after `--`. */
export function npmCommand(script: string, rest: readonly string[]): string {
  return rest.length > 0 ? `npm run ${script} -- ${rest.join(' ')}` : `npm run ${script}`;
}

/** Writes FILE: the header line, a title, then the body (Markdown). */
export function writeFigures(file: string, command: string, title: string, body: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${figuresHeader(command)}\n\n# ${title}\n\n${body.trimEnd()}\n`);
  process.stderr.write(`Figures: ${file}\n`);
}

/**
 * One bench run of a figures script: progress on a terminal, the document written under `out` as NAME-latest.json
 * after every group (nothing lost if it stops), its path on stderr at the end.
 */
export async function measureInto(
  out: string,
  name: string,
  config: BenchConfig,
  registries: RunRegistries,
): Promise<ResultsDocument> {
  const progress = progressRenderer();
  let writer: ResultsWriter | undefined;
  try {
    return await runBench(config, {
      registries,
      ...(process.stderr.isTTY ? { onEvent: progress.onEvent } : {}),
      onDocument: (doc) => {
        writer ??= new ResultsWriter(out, doc.createdAt, name);
        writer.write(doc);
      },
    });
  } finally {
    progress.done();
    process.stderr.write(`${name}: ${writer?.latestPath}\n`);
  }
}
