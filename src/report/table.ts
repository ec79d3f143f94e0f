import Table from 'cli-table3';
import type { ResultsDocument } from '../results/document.ts';
import { answer } from './answer.ts';
import { speedupChart } from './chart.ts';
import { columnWidths, tableFrame, widestLine, wrapText } from './fit.ts';
import { fullForm, type TableModel } from './model.ts';
import { reportTables } from './tables/index.ts';

/** Columns to fit when the output is not a terminal (a CI log, a file, a pipe). */
export const DEFAULT_WIDTH = 120;
/** The narrowest width tables are fitted to (see {@link terminalWidth}). */
export const MIN_WIDTH = 80;

export interface RenderOptions {
  /** Columns the output must fit. @default DEFAULT_WIDTH */
  width?: number;
  /** Every table in its full form, however wide (`--wide`). @default false */
  wide?: boolean;
  /** A bar chart under the speedup table (`--quiet` turns it off). @default true */
  chart?: boolean;
  /** What the figures say, under the tables (`--quiet` turns it off; see `answer.ts`). @default true */
  answer?: boolean;
}

/** The width to fit on `out`: its columns when it is a terminal, else {@link DEFAULT_WIDTH}. */
export function terminalWidth(out: { isTTY?: boolean; columns?: number }): number {
  if (out.isTTY !== true || typeof out.columns !== 'number' || out.columns <= 0) return DEFAULT_WIDTH;
  // below 80 columns the numbers themselves would be shortened: a narrower terminal wraps 80-column lines instead
  return Math.max(MIN_WIDTH, out.columns);
}

/** A table as it is drawn: title, head, rows, and the lines below it. */
interface Layout {
  title: string;
  head: string[];
  rows: string[][];
  below: string[];
}

function draw(layout: Layout, width: number): string {
  const table = new Table({ head: layout.head, style: { head: [], border: [], compact: true } });
  table.push(...layout.rows);
  const lines = [...wrapText(layout.title, width), table.toString()];
  for (const note of layout.below) lines.push(...wrapText(note, width, '    '));
  return lines.join('\n');
}

/** The narrow form: the narrow rows and title, notes listed below the table under their rows' names. */
function narrowLayout(model: TableModel): Layout {
  const notes = model.notes;
  return {
    title: model.narrow?.title ?? model.title,
    head: model.head,
    rows: model.narrow?.rows ?? model.rows,
    below: notes ? notes.texts.flatMap((text, i) => (text ? [`${notes.names[i] ?? ''}: ${text}`] : [])) : [],
  };
}

/** Columns that may move into the title when every row holds the same value. */
const FOLDABLE = new Set(['kind', 'calls', 'success', 'samples']);

/**
 * Columns whose every row holds the same value go into the title (`kind io`, `samples 5`): nothing is lost, and
 * the table narrows.
 */
function foldUniform(layout: Layout): Layout {
  if (layout.rows.length < 2) return layout;
  const uniform = layout.head.map((head, c) => {
    // only columns that describe the rows; a result (a speedup, a mean) stays in the table even when all agree
    if (!FOLDABLE.has(head)) return false;
    const first = layout.rows[0]?.[c];
    return first !== undefined && first !== '' && layout.rows.every((row) => row[c] === first);
  });
  if (!uniform.some(Boolean) || uniform.every(Boolean)) return layout;
  const folded = layout.head.flatMap((head, c) => (uniform[c] ? [`${head} ${layout.rows[0]?.[c]}`] : []));
  const keep = <T>(cells: T[]) => cells.filter((_, c) => !uniform[c]);
  return {
    ...layout,
    title: `${layout.title} — ${folded.join(', ')}`,
    head: keep(layout.head),
    rows: layout.rows.map(keep),
  };
}

/** Cells wrapped (and where need be shortened) to column widths that fit `width`. */
function wrapCells(layout: Layout, width: number): Layout {
  const columns = layout.head.map((head, c) => [head, ...layout.rows.map((row) => row[c] ?? '')]);
  const widths = columnWidths(columns, width);
  const wrap = (cells: string[]) => cells.map((cell, c) => wrapText(cell, widths[c] ?? 1).join('\n'));
  return { ...layout, head: wrap(layout.head), rows: layout.rows.map(wrap) };
}

/** The widest line of the table itself (the title and notes wrap to any width). */
const tableWidth = (layout: Layout): number =>
  tableFrame(layout.head.length) +
  layout.head.reduce(
    (sum, head, c) => sum + Math.max(widestLine(head), ...layout.rows.map((row) => widestLine(row[c] ?? ''))),
    0,
  );

/**
 * A table drawn to fit `width` columns, each step only when the one before is still too wide: the full form;
 * the narrow form (notes below the table, the speedup's ideal on its own line); columns that hold one value
 * moved into the title; cells wrapped, widest columns first; long words shortened with `…`.
 */
export function renderTable(model: TableModel, options: RenderOptions = {}): string {
  const full = fullForm(model);
  const wide: Layout = { title: model.title, head: full.head, rows: full.rows, below: [] };
  if (options.wide) return draw(wide, Number.POSITIVE_INFINITY);
  const width = options.width ?? DEFAULT_WIDTH;
  const steps: ((layout: Layout) => Layout)[] = [
    () => narrowLayout(model),
    foldUniform,
    (layout) => wrapCells(layout, width),
  ];
  let layout = wide;
  for (const step of steps) {
    if (tableWidth(layout) <= width) break;
    layout = step(layout);
  }
  return draw(layout, width);
}

/** The answer under the tables: a title, then each sentence wrapped to the width; '' when there is none. */
function answerText(results: ResultsDocument, options: RenderOptions): string {
  const sentences = answer(results);
  if (sentences.length === 0) return '';
  const width = options.wide ? Number.POSITIVE_INFINITY : (options.width ?? DEFAULT_WIDTH);
  const lines = sentences.flatMap((text) => wrapText(`• ${text}`, width, '  '));
  return `\nWhat the figures say:\n${lines.join('\n')}\n`;
}

/**
 * The terminal report: every table fitted to the width, a chart of the speedups under the first, and what the
 * figures say under the last.
 */
export function serialize(results: ResultsDocument, options: RenderOptions = {}): string {
  const chart = options.chart === false ? undefined : speedupChart(results, options.width ?? DEFAULT_WIDTH);
  const tables = reportTables(results)
    .map((model, i) => `${renderTable(model, options)}\n${i === 0 && chart ? `\n${chart}\n` : ''}`)
    .join('\n');
  return `${tables}${options.answer === false ? '' : answerText(results, options)}`;
}
