// smol-toml returns plain data without positions, so error messages find their line here: a small
// scanner over (already valid) TOML text that records where every table header, key and array element
// starts, under the same path the parsed data uses ([[a]] elements get their index).
// It understands basic, literal and multi-line strings, nested arrays, inline tables, comments and
// dotted or quoted keys, so brackets and `=` inside strings never confuse it.

export type TomlPath = ReadonlyArray<string | number>;

export interface TomlHeader {
  /** Resolved path, e.g. ['runners', 1, 'docker'] for the second runner's [runners.docker]. */
  path: Array<string | number>;
  /** 1-based line of the `[...]` / `[[...]]` header. */
  line: number;
  isArrayTable: boolean;
}

export interface TomlKeyLines {
  /** Line of the key, header or array element at `path`, else of its nearest recorded ancestor. */
  lineOf(path: TomlPath): number | undefined;
  /** Every table header in file order. */
  headers: TomlHeader[];
}

const pathKey = (path: TomlPath): string => JSON.stringify(path);

export function indexTomlKeyLines(text: string): TomlKeyLines {
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  const headers: TomlHeader[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  const record = (path: TomlPath, at: number) => {
    const k = pathKey(path);
    if (!lines.has(k)) lines.set(k, at);
  };
  const peek = (offset = 0) => text[pos + offset] ?? '';
  const advance = (n = 1) => {
    for (let i = 0; i < n && pos < text.length; i++) {
      if (text[pos] === '\n') line++;
      pos++;
    }
  };
  const skipSpaces = () => {
    while (peek() === ' ' || peek() === '\t' || peek() === '\r') advance();
  };
  const skipComment = () => {
    if (peek() === '#') while (pos < text.length && peek() !== '\n') advance();
  };
  /** Whitespace, newlines and comments, as allowed between array elements. */
  const skipBlank = () => {
    for (;;) {
      skipSpaces();
      if (peek() === '#') skipComment();
      else if (peek() === '\n') advance();
      else return;
    }
  };

  const readBasicString = (): string => {
    advance(); // opening "
    let out = '';
    while (pos < text.length && peek() !== '"') {
      if (peek() === '\\') {
        const escaped = peek(1);
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
        if (escaped in simple) {
          out += simple[escaped];
          advance(2);
        } else if (escaped === 'u' || escaped === 'U' || escaped === 'x') {
          const len = escaped === 'u' ? 4 : escaped === 'U' ? 8 : 2;
          out += String.fromCodePoint(parseInt(text.slice(pos + 2, pos + 2 + len), 16));
          advance(2 + len);
        } else {
          advance(2);
        }
      } else {
        out += peek();
        advance();
      }
    }
    advance(); // closing "
    return out;
  };
  const readLiteralString = (): string => {
    advance();
    const start = pos;
    while (pos < text.length && peek() !== "'") advance();
    const out = text.slice(start, pos);
    advance();
    return out;
  };
  const skipMultiline = (quote: string) => {
    advance(3);
    while (pos < text.length) {
      if (quote === '"' && peek() === '\\') advance(2);
      else if (text.startsWith(quote.repeat(3), pos)) {
        advance(3);
        // Up to two quotes may sit right before the closing delimiter: """a""""" ends with a"".
        for (let extra = 0; extra < 2 && peek() === quote; extra++) advance();
        return;
      } else advance();
    }
  };

  /** A dotted key: bare, "basic" or 'literal' parts separated by dots. */
  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpaces();
      if (peek() === '"') parts.push(readBasicString());
      else if (peek() === "'") parts.push(readLiteralString());
      else {
        const start = pos;
        while (/[A-Za-z0-9_-]/.test(peek())) advance();
        parts.push(text.slice(start, pos));
      }
      skipSpaces();
      if (peek() !== '.') return parts;
      advance();
    }
  };

  const skipValue = (path: Array<string | number>) => {
    const c = peek();
    if (text.startsWith('"""', pos) || text.startsWith("'''", pos)) skipMultiline(c);
    else if (c === '"') readBasicString();
    else if (c === "'") readLiteralString();
    else if (c === '[') {
      advance();
      for (let index = 0; ; index++) {
        skipBlank();
        if (peek() === ']' || pos >= text.length) break;
        record([...path, index], line);
        skipValue([...path, index]);
        skipBlank();
        if (peek() === ',') advance();
      }
      advance();
    } else if (c === '{') {
      advance();
      for (;;) {
        skipBlank();
        if (peek() === '}' || pos >= text.length) break;
        const keyLine = line;
        const full = [...path, ...readKey()];
        record(full, keyLine);
        skipSpaces();
        advance(); // =
        skipSpaces();
        skipValue(full);
        skipBlank();
        if (peek() === ',') advance();
      }
      advance();
    } else {
      // Numbers, booleans and dates (which may contain one space) end at a delimiter.
      while (pos < text.length && !',]}#\n'.includes(peek())) advance();
    }
  };

  /** Header segments → data path: a segment naming an array of tables means its last element. */
  const resolve = (segments: string[]): Array<string | number> => {
    const out: Array<string | number> = [];
    for (const segment of segments) {
      out.push(segment);
      const count = arrayCounts.get(pathKey(out));
      if (count !== undefined) out.push(count - 1);
    }
    return out;
  };

  let table: Array<string | number> = [];
  while (pos < text.length) {
    skipBlank();
    if (pos >= text.length) break;
    const at = line;
    const startPos = pos;
    if (peek() === '[') {
      const isArrayTable = peek(1) === '[';
      advance(isArrayTable ? 2 : 1);
      const segments = readKey();
      advance(isArrayTable ? 2 : 1);
      if (isArrayTable) {
        const parent = resolve(segments.slice(0, -1));
        const arrayPath = [...parent, segments[segments.length - 1] ?? ''];
        const count = arrayCounts.get(pathKey(arrayPath)) ?? 0;
        arrayCounts.set(pathKey(arrayPath), count + 1);
        record(arrayPath, at);
        table = [...arrayPath, count];
      } else {
        table = resolve(segments);
      }
      record(table, at);
      headers.push({ path: table, line: at, isArrayTable });
    } else {
      const full = [...table, ...readKey()];
      record(full, at);
      skipSpaces();
      advance(); // =
      skipSpaces();
      skipValue(full);
    }
    skipSpaces();
    skipComment();
    if (pos === startPos) advance(); // never loop on text smol-toml would have rejected
  }

  return {
    headers,
    lineOf(path) {
      for (let n = path.length; n > 0; n--) {
        const found = lines.get(pathKey(path.slice(0, n)));
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}
