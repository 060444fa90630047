// dotenv files as GitLab reads them for `artifacts:reports:dotenv` (and for --variables-file):
// `KEY=VALUE` per line, `#` comments and blank lines ignored, surrounding quotes removed.

export interface DotenvEntry { key: string; value: string }
export interface DotenvProblem { line: number; message: string }

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string): { entries: DotenvEntry[]; problems: DotenvProblem[] } {
  const entries: DotenvEntry[] = [];
  const problems: DotenvProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    if (eq <= 0) {
      problems.push({ line: i + 1, message: `expected KEY=VALUE, got "${line.slice(0, 40)}"` });
      return;
    }
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) {
      problems.push({ line: i + 1, message: `"${key}" is not a valid variable name (letters, digits, _; not starting with a digit)` });
      return;
    }
    entries.push({ key, value: unquote(body.slice(eq + 1).trim()) });
  });
  return { entries, problems };
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}
