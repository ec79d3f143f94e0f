/** Profiles as CSV (RFC 4180) with columns `tool` and `ms`. */
import { Collector, DECIMAL, duration, EXPECTED, fail, show } from './checks.ts';

interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
  blank: boolean;
}

/** Splits CSV text into records: quoted fields may hold commas, `""` and line breaks; CRLF, LF or CR ends a record. */
function csvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      let value = '';
      let j = i;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] === '"') {
        quoted = true;
        i = j + 1;
        for (;;) {
          const c = text[i];
          if (c === undefined)
            fail(file, `line ${start}`, 'quoted field never closed; end it with " (write "" for a quote)');
          if (c === '"') {
            if (text[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        i++;
      }
      // Unquoted text (or text after a closing quote) runs to the next comma or line end, kept as written.
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      fields.push(value);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    records.push({ line: start, fields, blank: !quoted && fields.length === 1 && (fields[0] ?? '').trim() === '' });
  }
  return records;
}

/** Durations per tool from `tool,ms` CSV text (columns in any order, others ignored). */
export function parseCsv(text: string, file: string): Record<string, number[]> {
  const records = csvRecords(text, file).filter((record) => !record.blank);
  const [header, ...rows] = records;
  if (!header) fail(file, 'file', `is empty; ${EXPECTED}`);
  const names = header.fields.map((field) => field.trim().toLowerCase());
  const toolAt = names.indexOf('tool');
  const msAt = names.indexOf('ms');
  const place = `line ${header.line} (header)`;
  if (toolAt < 0 && msAt < 0 && header.fields.length < 2)
    fail(file, `line ${header.line}`, `not a profile; ${EXPECTED}`);
  const missing = [toolAt < 0 ? 'tool' : '', msAt < 0 ? 'ms' : ''].filter(Boolean);
  if (missing.length > 0) {
    fail(
      file,
      place,
      `no column ${missing.join(' or ')} (found ${show(header.fields.join(','))}); the first row must name the columns tool and ms`,
    );
  }
  for (const name of ['tool', 'ms']) {
    if (names.indexOf(name) !== names.lastIndexOf(name)) fail(file, place, `column ${name} appears twice; keep one`);
  }
  if (rows.length === 0) fail(file, place, 'no rows after the header, so no samples; add rows like search_docs,120');
  const samples = new Collector();
  for (const { line, fields } of rows) {
    if (fields.length !== header.fields.length) {
      fail(
        file,
        `line ${line}`,
        `${fields.length} fields where the header has ${header.fields.length}; quote fields that hold commas ("a,b")`,
      );
    }
    const tool = (fields[toolAt] ?? '').trim();
    if (tool === '') fail(file, `line ${line}`, 'empty tool name; every row needs the tool it timed');
    const raw = (fields[msAt] ?? '').trim();
    if (raw === '') fail(file, `line ${line}`, `ms is empty for tool ${JSON.stringify(tool)}; give the duration in ms`);
    if (!DECIMAL.test(raw)) fail(file, `line ${line}`, `ms ${show(raw)} is not a number; give milliseconds like 120.5`);
    samples.add(tool, duration(Number(raw), file, `line ${line}`), file, `line ${line}`);
  }
  return samples.toRecord();
}
