import type { ResultsDocument } from '../results/document.ts';
import { shorten, textWidth, wrapText } from './fit.ts';
import { callsLabel } from './format.ts';
import { speedupAtLargest } from './tables/speedup.ts';

/** A bar's last cell in eighths: '' for none, then ▏ (1/8) to █ (8/8). */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/** Widest and narrowest a bar may be, in columns. */
const BAR_MAX = 60;
const BAR_MIN = 8;

const pad = (text: string, width: number) => `${text}${' '.repeat(Math.max(0, width - textWidth(text)))}`;

/**
 * One bar per strategy of its speedup at the largest call count, in plain Unicode blocks (no colour): `█` as far as
 * it got, `░` on to its ideal. Undefined when the run has no speedups. Fits `width` columns.
 */
export function speedupChart(results: ResultsDocument, width: number): string | undefined {
  const data = speedupAtLargest(results);
  if (!data) return undefined;
  const labels = data.bars.map((b) => shorten(b.label, Math.max(12, Math.floor(width / 2))));
  const values = data.bars.map(
    (b) => `${b.speedup.toFixed(2)}x${Number.isFinite(b.ideal) ? ` of ${b.ideal.toFixed(2)}x` : ''}`,
  );
  const labelWidth = Math.max(...labels.map(textWidth));
  const valueWidth = Math.max(...values.map(textWidth));
  const barWidth = Math.min(BAR_MAX, Math.max(BAR_MIN, width - labelWidth - valueWidth - 4));
  const top = Math.max(...data.bars.flatMap((b) => [b.speedup, ...(Number.isFinite(b.ideal) ? [b.ideal] : [])]));
  const scale = top > 0 ? barWidth / top : 0;
  const lines = data.bars.map((bar, i) => {
    const eighths = Math.max(0, Math.round(bar.speedup * scale * 8));
    const measured = `${'█'.repeat(Math.floor(eighths / 8))}${EIGHTHS[eighths % 8]}`;
    const idealCells = Number.isFinite(bar.ideal) ? Math.round(bar.ideal * scale) : 0;
    const shortfall = '░'.repeat(Math.max(0, idealCells - textWidth(measured)));
    return `${pad(labels[i] ?? '', labelWidth)}  ${pad(measured + shortfall, barWidth)}  ${(values[i] ?? '').padStart(valueWidth)}`;
  });
  const title = `Speedup at ${callsLabel(data.calls)}: █ measured, ░ short of the ideal`;
  return [...wrapText(title, width), ...lines].join('\n');
}
