// Writes plain data as TOML in gitlab-runner's layout: plain keys first, then sub-tables, each level
// indented two spaces; lists of tables become [[a.b]] blocks. Dates stay TOML date-times.

type Table = Record<string, unknown>;

export function toToml(root: Table): string {
  const out: string[] = [];
  writeTable(root, [], out);
  return out.join('\n').replace(/^\n+/, '') + '\n';
}

function writeTable(table: Table, path: string[], out: string[]): void {
  // gitlab-runner's layout: a table's keys sit one level deeper than its header.
  const indent = '  '.repeat(path.length);
  const nested: Array<[string, Table | Table[]]> = [];
  for (const [key, value] of Object.entries(table)) {
    if (value === undefined) continue;
    if (isTable(value) || isTableList(value)) nested.push([key, value]);
    else out.push(`${indent}${bareOrQuoted(key)} = ${inlineValue(value)}`);
  }
  for (const [key, value] of nested) {
    const childPath = [...path, key];
    const header = childPath.map(bareOrQuoted).join('.');
    const childIndent = '  '.repeat(childPath.length - 1);
    if (Array.isArray(value)) {
      for (const element of value) {
        if (childPath.length === 1) out.push('');
        out.push(`${childIndent}[[${header}]]`);
        writeTable(element, childPath, out);
      }
    } else {
      if (childPath.length === 1) out.push('');
      out.push(`${childIndent}[${header}]`);
      writeTable(value, childPath, out);
    }
  }
}

function inlineValue(value: unknown): string {
  if (typeof value === 'string') return basicString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  // Whole seconds are written without ".000", as gitlab-runner writes them.
  if (value instanceof Date) return value.toISOString().replace(/\.000(?=Z$|[+-]\d\d:\d\d$)/, '');
  if (Array.isArray(value)) return `[${value.map(inlineValue).join(', ')}]`;
  if (isTable(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${bareOrQuoted(k)} = ${inlineValue(v)}`).join(', ')} }`;
  }
  throw new TypeError(`cannot write ${typeof value} as TOML`);
}

function basicString(s: string): string {
  // Scripts (pre_build_script = ...) stay readable as multi-line strings; the newline right after
  // the opening quotes is dropped by TOML, so the value is unchanged.
  if (s.includes('\n')) return `"""\n${escapeChars(s, false)}"""`;
  return `"${escapeChars(s, true)}"`;
}

function escapeChars(s: string, escapeNewlines: boolean): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += escapeNewlines ? '\\n' : '\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

function bareOrQuoted(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : `"${escapeChars(key, true)}"`;
}

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function isTableList(v: unknown): v is Table[] {
  return Array.isArray(v) && v.length > 0 && v.every(isTable);
}
