/** The table model every exporter renders, and its full form. */

/** A table as rows of strings, rendered by each exporter in its own format. */
export interface TableModel {
  title: string;
  head: string[];
  rows: string[][];
  /**
   * Long text per row (a cell's notes, a verdict's reason; '' for none): the full form shows it in a column
   * `head`, or after the cell of column `after` (`REGRESSION: …`); a narrow terminal lists it below the table,
   * each note after its row's name.
   */
  notes?: { texts: string[]; names: string[]; head?: string; after?: number };
  /** A narrow terminal's form of the rows and title, where it differs (the ideal on a line of its own). */
  narrow?: { title: string; rows: string[][] };
}

/** The full form of a table (Markdown, `--wide`): its notes in their column. */
export function fullForm(model: TableModel): { head: string[]; rows: string[][] } {
  const notes = model.notes;
  if (!notes) return { head: model.head, rows: model.rows };
  const { after, head = 'notes', texts } = notes;
  if (after === undefined) {
    return { head: [...model.head, head], rows: model.rows.map((row, i) => [...row, texts[i] ?? '']) };
  }
  return {
    head: model.head,
    rows: model.rows.map((row, i) =>
      row.map((cell, column) => (column === after && texts[i] ? `${cell}: ${texts[i]}` : cell)),
    ),
  };
}
