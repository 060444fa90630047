// The two variable expansions a job goes through before its shell sees it.
//
// expandGitlab — the server's (Gitlab::Ci::Variables::Collection#expand_value with
//   keep_undefined): `$NAME`, `${NAME}` and `%NAME%` are replaced, unknown names are kept as
//   written, and `$$` / `%%` are skipped as a unit (so `$$HOME` stays `$$HOME` for the runner).
// expandRunner — gitlab-runner's JobVariables.ExpandValue, i.e. Go's os.Expand: `$NAME` and
//   `${...}` are replaced, unknown names become empty, `$$` becomes `$`, shell specials
//   (`$1`, `$*`, `$#`, `$@`, `$!`, `$?`) become empty, `${}` and an unclosed `${` are dropped.

export type VariableLookup = (name: string) => string | undefined;

/** The server-side reference syntax: `$$`, `%%`, `$NAME`, `${NAME}`, `${}`, `%NAME%`. */
export const GITLAB_REFERENCE = /\$\$|%%|\$([a-zA-Z_][a-zA-Z0-9_]*)|\$\{([a-zA-Z_][a-zA-Z0-9_]*)?\}|%([a-zA-Z_][a-zA-Z0-9_]*)%/g;

/** Cheap pre-check: only texts containing `$` or `%` can reference a variable. */
export function mayReference(text: string): boolean {
  return text.includes('$') || text.includes('%');
}

/** Server-style expansion; unknown references are kept verbatim. */
export function expandGitlab(text: string, lookup: VariableLookup): string {
  if (!mayReference(text)) return text;
  return text.replace(GITLAB_REFERENCE, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c;
    if (name === undefined) return whole;
    return lookup(name) ?? whole;
  });
}

/** Names referenced by a text in the server syntax, in order of appearance (with repeats). */
export function referencedNames(text: string): string[] {
  if (!mayReference(text)) return [];
  const names: string[] = [];
  // exec on the shared /g pattern instead of matchAll, which clones the RegExp on every call.
  // Synchronous and run to the end (exec resets lastIndex to 0 when it finds no more).
  GITLAB_REFERENCE.lastIndex = 0;
  for (let m = GITLAB_REFERENCE.exec(text); m !== null; m = GITLAB_REFERENCE.exec(text)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name !== undefined) names.push(name);
  }
  return names;
}

const SHELL_SPECIAL = new Set([...'*#$@!?-0123456789']);
const isAlphaNum = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

/** What the runner substitutes for a name: `$` for `$$`, empty for shell specials and unknowns. */
function runnerValue(name: string, lookup: VariableLookup): string {
  if (name === '$') return '$';
  if (name.length === 1 && SHELL_SPECIAL.has(name) && name !== '-') return '';
  return lookup(name) ?? '';
}

/** Runner-style expansion (Go os.Expand); unknown references become empty. */
export function expandRunner(text: string, lookup: VariableLookup): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  for (let j = 0; j < text.length; j++) {
    if (text[j] !== '$' || j + 1 >= text.length) continue;
    out += text.slice(i, j);
    const { name, width } = shellName(text, j + 1);
    if (name === '' && width > 0) {
      // invalid syntax (`${}` or an unclosed `${`): the characters are dropped
    } else if (name === '') {
      out += '$'; // `$` not followed by a name stays
    } else {
      out += runnerValue(name, lookup);
    }
    j += width;
    i = j + 1;
  }
  return out + text.slice(i);
}

function shellName(s: string, at: number): { name: string; width: number } {
  const first = s[at]!;
  if (first === '{') {
    if (s.length - at > 2 && SHELL_SPECIAL.has(s[at + 1]!) && s[at + 2] === '}') return { name: s[at + 1]!, width: 3 };
    for (let k = at + 1; k < s.length; k++) {
      if (s[k] === '}') {
        if (k === at + 1) return { name: '', width: 2 };
        return { name: s.slice(at + 1, k), width: k - at + 1 };
      }
    }
    return { name: '', width: 1 };
  }
  if (SHELL_SPECIAL.has(first)) return { name: first, width: 1 };
  let k = at;
  while (k < s.length && isAlphaNum(s[k]!)) k++;
  return { name: s.slice(at, k), width: k - at };
}
