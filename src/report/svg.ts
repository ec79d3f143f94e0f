import { onDemand } from '../core/packages.ts';
import type { ChartSpec } from './charts/index.ts';

/** Vega and Vega-Lite load on first use: only a report pays for them (about 0.2 s), not every CLI start. */
const load = onDemand(async () => {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return { vega, compile: vegaLite.compile };
});

/** Shared look of every chart: the page's font, no border around the plot. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
};

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no DOM, no canvas: Vega estimates text widths). Data are
 * inline values only, so nothing is ever fetched.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, compile } = await load();
  const { spec: compiled } = compile({ ...spec, config: CONFIG } as Parameters<typeof compile>[0]);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
