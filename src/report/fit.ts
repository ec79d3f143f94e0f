/** Fitting text into a terminal's columns: widths, word wrapping, and the widths a table's columns can take. */

/** Columns a text takes on a terminal: one per code point (tables hold no wide or combining characters). */
export const textWidth = (text: string): number => [...text].length;

/** The widest line of a text. */
export const widestLine = (text: string): number => Math.max(0, ...text.split('\n').map(textWidth));

/** A word cut to `width` with `…` in the middle, so both ends stay readable (`work…ol(8)`). */
export function shorten(word: string, width: number): string {
  const chars = [...word];
  if (chars.length <= width) return word;
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.floor((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

/** A word as pieces that may end a line: after each `/` (`agent/weather/…`), else whole. */
const pieces = (word: string): string[] => word.match(/[^/]*\/|[^/]+/g) ?? [word];

/**
 * Wraps each line of `text` at spaces (and inside a long word after `/`) into lines of at most `width`; a piece
 * longer than that is shortened. Later lines start with `indent`.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    const room = () => width - (out.length > 0 ? textWidth(indent) : 0);
    const flush = () => {
      out.push(`${out.length > 0 ? indent : ''}${current}`);
      current = '';
    };
    for (const word of line.split(' ')) {
      const parts = textWidth(word) > room() ? pieces(word) : [word];
      parts.forEach((part, i) => {
        const glue = current === '' || i > 0 ? '' : ' ';
        if (current !== '' && textWidth(current) + textWidth(glue) + textWidth(part) > room()) flush();
        current += `${current === '' ? '' : glue}${shorten(part, room())}`;
      });
    }
    flush();
  }
  return out;
}

/** The longest word of a text: the narrowest a column can wrap it to without shortening. */
const longestWord = (text: string): number =>
  Math.max(0, ...text.split(/[ \n]/).flatMap((word) => pieces(word).map(textWidth)));

/** Borders and padding of a table of `columns` columns: `│ a │ b │`. */
export const tableFrame = (columns: number): number => 3 * columns + 1;

/**
 * Content widths for the columns of a table so that it fits `width`: the widest columns give way first, down to
 * their longest word; when even that is too wide, down to `floor` (words are then shortened).
 */
export function columnWidths(columns: readonly string[][], width: number, floor = 4): number[] {
  const natural = columns.map((cells) => Math.max(1, ...cells.map(widestLine)));
  const words = columns.map((cells) => Math.max(1, ...cells.map(longestWord)));
  const room = width - tableFrame(columns.length);
  const total = (cap: number, least: (i: number) => number) =>
    natural.reduce((sum, n, i) => sum + Math.min(n, Math.max(least(i), cap)), 0);
  const widthsAt = (least: (i: number) => number) => {
    let cap = Math.max(...natural);
    while (cap > 0 && total(cap, least) > room) cap--;
    return total(cap, least) <= room ? natural.map((n, i) => Math.min(n, Math.max(least(i), cap))) : undefined;
  };
  return widthsAt((i) => words[i] ?? 1) ?? widthsAt(() => floor) ?? natural.map((n) => Math.min(n, floor));
}
