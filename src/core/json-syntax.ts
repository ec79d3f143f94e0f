/** Where a JSON text first breaks, as offset and 1-based line and column. */
export interface JsonErrorPosition {
  position: number;
  line: number;
  column: number;
}

/**
 * Finds the first syntax error in `text`, or returns undefined when it is valid JSON. The position is the one V8
 * names where it names one (Node 20's `JSON.parse` does only for some errors); any depth of nesting is scanned.
 */
export function findJsonError(text: string): JsonErrorPosition | undefined {
  const offset = scan(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { position: offset, line, column };
}

class Stop {
  constructor(readonly at: number) {}
}

const DIGIT = /[0-9]/;

/** Offset of the first error, or undefined; nesting is kept on a stack of closers, not the call stack. */
function scan(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (word: string): void => {
    for (const ch of word) {
      if (text.charAt(i) !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const ch = text.charAt(i);
      if (ch === '' || ch < ' ') fail();
      i++;
      if (ch === '"') return;
      if (ch !== '\\') continue;
      const escaped = text.charAt(i);
      if (escaped === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text.charAt(i))) fail();
      } else if ('"\\/bfnrt'.includes(escaped) && escaped !== '') i++;
      else fail();
    }
  };
  // a number breaks where a digit was wanted: after `-`, `.`, or `e` and its sign
  const digits = (): void => {
    if (!DIGIT.test(text.charAt(i))) fail();
    while (DIGIT.test(text.charAt(i))) i++;
  };
  const number = (): void => {
    if (text.charAt(i) === '-') i++;
    if (text.charAt(i) === '0') i++;
    else digits();
    if (text.charAt(i) === '.') {
      i++;
      digits();
    }
    if (text.charAt(i) === 'e' || text.charAt(i) === 'E') {
      i++;
      if (text.charAt(i) === '+' || text.charAt(i) === '-') i++;
      digits();
    }
  };
  const key = (): void => {
    space();
    string();
    space();
    expect(':');
  };
  const closers: string[] = [];
  try {
    for (;;) {
      // a value: a scalar, an empty container, or the opening of one whose first member follows
      space();
      const ch = text.charAt(i);
      if (ch === '{' || ch === '[') {
        const close = ch === '{' ? '}' : ']';
        i++;
        space();
        if (text.charAt(i) !== close) {
          closers.push(close);
          if (close === '}') key();
          continue;
        }
        i++;
      } else if (ch === '"') string();
      else if (ch === 't') expect('true');
      else if (ch === 'f') expect('false');
      else if (ch === 'n') expect('null');
      else if (ch === '-' || (ch >= '0' && ch <= '9')) number();
      else fail();
      // after a value: the next member, or the close of containers
      for (;;) {
        const close = closers.at(-1);
        space();
        if (close === undefined) return i < text.length ? i : undefined;
        if (text.charAt(i) === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        expect(close);
        closers.pop();
      }
    }
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}

/** `JSON.parse`, or the one-line detail of why the text is not JSON: `invalid JSON at line 2 column 5 (…): …`. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const where = findJsonError(text);
    const position = where ? ` at line ${where.line} column ${where.column} (position ${where.position})` : '';
    return { ok: false, detail: `invalid JSON${position}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
