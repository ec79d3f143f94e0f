import type { ResultsDocument } from '../results/document.ts';
import * as csv from './csv.ts';
import * as json from './json.ts';
import * as markdown from './markdown.ts';
import { serializeOtlp } from './otlp.ts';
import * as table from './table.ts';

export type ExportFormat = 'json' | 'csv' | 'markdown' | 'table' | 'otlp';

/** One exporter per format. */
export const EXPORTERS: Record<ExportFormat, (results: ResultsDocument) => string> = {
  json: json.serialize,
  csv: csv.serialize,
  markdown: markdown.serialize,
  table: table.serialize,
  /** OpenTelemetry GenAI traces of the agent cells' median samples (OTLP JSON). */
  otlp: serializeOtlp,
};
