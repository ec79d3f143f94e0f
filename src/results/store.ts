import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage, InputError } from '../core/errors.ts';
import { READABLE_VERSIONS, type ResultsDocument, runModes } from './document.ts';
import { checkResults } from './schema.ts';

/** A results file that cannot be used, with a message that names the fix. */
export class ResultsFileError extends InputError {
  override name = 'ResultsFileError';
}

/**
 * Writes through a temp file and a rename, so a reader never sees half a file, even after a crash. A symlink is
 * written through (its target is replaced, the link stays); a target that is not a regular file (a device such
 * as `/dev/stdout`, a FIFO) is written directly, since renaming over it would replace the device with a file.
 */
export function writeFileAtomic(path: string, text: string): void {
  let stats: ReturnType<typeof lstatSync> | undefined;
  try {
    stats = lstatSync(path);
  } catch {
    stats = undefined; // a new file
  }
  if (stats?.isSymbolicLink()) {
    writeFileAtomic(realpathSync(path), text);
    return;
  }
  if (stats?.isDirectory()) throw new Error(`\`${path}\` is a directory; name a file`);
  if (stats && !stats.isFile()) {
    writeFileSync(path, text);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * A value that could not be computed (NaN, ±Infinity) is left out of the file rather than written as `null`: a
 * field, a whole estimate (`{ value, low, high }`) or a whole list holding one. Readers see the field absent and
 * show "—"; the gate treats an absent speedup as a failure.
 */
function leaveOutUncomputed(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.some((v) => typeof v === 'number' && !Number.isFinite(v)) ? undefined : value;
  if (value !== null && typeof value === 'object' && 'value' in value && 'low' in value && 'high' in value) {
    const { value: v, low, high } = value as Record<string, unknown>;
    return [v, low, high].every((n) => typeof n === 'number' && Number.isFinite(n)) ? value : undefined;
  }
  return value;
}

export function serializeResults(document: ResultsDocument): string {
  return `${JSON.stringify(document, leaveOutUncomputed, 2)}\n`;
}

export function readResults(path: string): ResultsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ResultsFileError(
      `Cannot read results file \`${path}\`; run \`fanout-bench bench\` first or check the path`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(`\`${path}\` is not valid JSON (${errorMessage(error)})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (data !== null && typeof data === 'object' && !READABLE_VERSIONS.includes(version as number)) {
    throw new ResultsFileError(
      version === undefined
        ? `\`${path}\` is not a fanout-bench results file (no schemaVersion); pass a file that \`fanout-bench bench\` wrote`
        : `\`${path}\` has schema version ${JSON.stringify(version)}, this fanout-bench reads ${READABLE_VERSIONS.join(' and ')}; re-run the bench to regenerate it`,
    );
  }
  const checked = checkResults(data);
  if (!checked.ok) {
    throw new ResultsFileError(`\`${path}\` is not a fanout-bench results file: ${checked.problem}`);
  }
  return checked.value as ResultsDocument;
}

/**
 * A document the gate or `compare` can judge: complete, with at least one measured cell. An interrupted or
 * partial run, or one whose every cell failed, would pass a gate with nothing compared.
 */
export function requireComparable(document: ResultsDocument, path: string, role: string): ResultsDocument {
  if (document.status !== 'complete') {
    throw new ResultsFileError(
      `${role} \`${path}\` is ${document.status === 'partial' ? 'unfinished (partial)' : 'interrupted'}; compare complete runs (re-record it)`,
    );
  }
  if (!document.cells.some((c) => c.status === 'ok')) {
    throw new ResultsFileError(`${role} \`${path}\` has no measured cell; there is nothing to compare`);
  }
  return document;
}

/** How a document's agent cells got their ideal and framework groups, where that changed (2026-12-05). */
function agentIdeal(document: ResultsDocument): string | undefined {
  const agent = document.config.agent;
  const affected = agent && (document.config.frameworks?.length || runModes(agent).some((m) => m.dispatch === 'early'));
  return affected ? (document.setup.agentIdeal ?? 'before release times') : undefined;
}

/**
 * Refuses to set side by side two documents whose early-dispatch or framework cells were computed two ways: before
 * 2026-12-05 an agent ideal ignored when each streamed call was complete, and frameworks all ran in the `chat` group.
 * `b` undefined: a run made now (release times).
 */
export function requireSameIdeals(
  a: ResultsDocument,
  pathA: string,
  b?: { document: ResultsDocument; path: string },
): void {
  const now = b ? agentIdeal(b.document) : 'release-times';
  const then = agentIdeal(a);
  if (then === undefined || now === undefined || then === now) return;
  const old = then === 'release-times' ? (b?.path ?? 'the run') : pathA;
  throw new ResultsFileError(
    `\`${old}\` was recorded before agent ideals released each streamed call when it was complete (2026-12-05): its early-dispatch and framework cells are not comparable; record it again (\`fanout-bench baseline --force\`, or bench)`,
  );
}
