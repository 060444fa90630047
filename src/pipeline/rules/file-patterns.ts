// Ruby's File.fnmatch?(pattern, path, FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB), the matcher
// GitLab uses for `rules:changes`, `rules:exists` and `only:changes`. Written here rather than
// with picomatch because Ruby differs on points users hit: `**` is recursive only as a whole
// `**/` segment prefix (`docs/**` matches `docs/a.md` but not `docs/a/b.md`), `{a,b}` braces
// are expanded first, dotfiles always match, and an unclosed `[` never matches.

/** Expands `{a,b}` (nested, with `\` escapes) the way Ruby's brace expansion does. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const prefix = pattern.slice(0, open);
        const suffix = pattern.slice(i + 1);
        const alternatives = splitTopLevel(pattern.slice(open + 1, i));
        return alternatives.flatMap((alt) => expandBraces(prefix + alt + suffix));
      }
    }
  }
  return [pattern];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const escapeRegex = (s: string): string => s.replace(REGEX_SPECIAL, '\\$&');
const NEVER = '(?!)';

/** Translates one brace-free fnmatch pattern into a regular expression source. */
function translate(pattern: string): string {
  let out = '';
  let i = 0;
  let segmentStart = true;
  while (i < pattern.length) {
    if (segmentStart && pattern.startsWith('**/', i)) {
      while (pattern.startsWith('**/', i)) i += 3;
      out += '(?:[^/]*/)*';
      continue;
    }
    const c = pattern[i]!;
    segmentStart = false;
    if (c === '*') {
      while (pattern[i] === '*') i++;
      out += '[^/]*';
      continue;
    }
    if (c === '?') { out += '[^/]'; i++; continue; }
    if (c === '[') {
      const cls = translateBracket(pattern, i + 1);
      if (cls === undefined) return NEVER; // unclosed: Ruby never matches
      out += cls.source;
      i = cls.end;
      continue;
    }
    if (c === '\\' && i + 1 < pattern.length) {
      out += escapeRegex(pattern[i + 1]!);
      i += 2;
      continue;
    }
    if (c === '/') segmentStart = true;
    out += escapeRegex(c);
    i++;
  }
  return out;
}

function translateBracket(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') { negate = true; i++; }
  const items: string[] = [];
  while (i < pattern.length && pattern[i] !== ']') {
    let c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) { i++; c = pattern[i]!; }
    i++;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      let d = pattern[i + 1]!;
      i += 2;
      if (d === '\\' && i < pattern.length) { d = pattern[i]!; i++; }
      items.push(`${escapeClass(c)}-${escapeClass(d)}`);
    } else items.push(escapeClass(c));
  }
  if (i >= pattern.length) return undefined;
  // A bracket never matches the path separator.
  const body = items.join('');
  const source = negate ? `[^/${body}]` : body === '' ? NEVER : `(?!/)[${body}]`;
  return { source, end: i + 1 };
}

const escapeClass = (c: string): string => (/[\\\]^-]/.test(c) ? `\\${c}` : c);

/** A compiled matcher for one pattern; reuse it when matching many paths. */
export function compilePattern(pattern: string): (path: string) => boolean {
  const sources = expandBraces(pattern).map(translate);
  const re = new RegExp(`^(?:${sources.join('|')})$`, 's');
  return (path) => re.test(path);
}

/** Ruby `File.fnmatch?(pattern, path, PATHNAME | DOTMATCH | EXTGLOB)`. */
export function fnmatch(pattern: string, path: string): boolean {
  return compilePattern(pattern)(path);
}

/** True when any file matches any pattern (the `changes`/`exists` test). */
export function matchesAnyPattern(patterns: readonly string[], files: readonly string[]): boolean {
  if (patterns.length === 0 || files.length === 0) return false;
  const matchers = patterns.map(compilePattern);
  return files.some((file) => matchers.some((m) => m(file)));
}

/** The files that match at least one pattern, in their original order. */
export function filterByPatterns(patterns: readonly string[], files: readonly string[]): string[] {
  const matchers = patterns.map(compilePattern);
  return files.filter((file) => matchers.some((m) => m(file)));
}
