/** Where a JSON text first breaks, as offset and 1-based line and column. */
export interface JsonErrorPosition {
  position: number;
  line: number;
  column: number;
}

/**
 * Finds the first syntax error in `text`, or returns undefined when it is valid JSON.
 * Node 20's `JSON.parse` names the position only for some errors, so scenario errors find it themselves.
 */
export function findJsonError(text: string): JsonErrorPosition | undefined {
  let offset: number | undefined;
  try {
    offset = scan(text);
  } catch (error) {
    if (error instanceof RangeError) return undefined; // nested too deeply to scan: report without a position
    throw error;
  }
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { position: offset, line, column };
}

class Stop {
  constructor(readonly at: number) {}
}

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
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') fail();
    i += match?.[0].length ?? 0;
  };
  const members = (close: string, member: () => void): void => {
    i++;
    space();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      space();
      if (text.charAt(i) !== ',') break;
      i++;
    }
    expect(close);
  };
  const value = (): void => {
    space();
    const ch = text.charAt(i);
    if (ch === '{') {
      members('}', () => {
        space();
        string();
        space();
        expect(':');
        value();
      });
    } else if (ch === '[') members(']', value);
    else if (ch === '"') string();
    else if (ch === 't') expect('true');
    else if (ch === 'f') expect('false');
    else if (ch === 'n') expect('null');
    else if (ch === '-' || (ch >= '0' && ch <= '9')) number();
    else fail();
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}
