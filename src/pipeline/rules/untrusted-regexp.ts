// GitLab evaluates user regular expressions with RE2 (Gitlab::UntrustedRegexp). This module
// turns RE2 syntax into an equivalent JavaScript RegExp and rejects what RE2 rejects
// (backreferences, lookaround, atomic groups), so that a pattern valid here is valid there.
// Known gaps: inline flag groups in the middle of a pattern apply to the whole pattern.

export class RegexpSyntaxError extends Error {
  override readonly name = 'RegexpSyntaxError';
}

/** `/source/flags` in GitLab's Ruby syntax: whole string, flags limited to i, s, m, U. */
const RUBY_SYNTAX = /^\/(.*)\/([ismU]*)$/s;

/** Splits `/source/flags`; undefined when the text does not have that shape. */
export function parseRubyRegexpLiteral(text: string): { source: string; flags: string } | undefined {
  if (text.includes('\n')) {
    // Ruby's ^ and $ are line anchors: a multi-line value matches if one line has the shape.
    for (const line of text.split('\n')) {
      const found = parseRubyRegexpLiteral(line);
      if (found) return found;
    }
    return undefined;
  }
  const m = RUBY_SYNTAX.exec(text);
  if (!m) return undefined;
  return { source: m[1]!, flags: m[2]! };
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX_CHARS = new Set([...'^$\\.*+?()[]{}|/-']);

/**
 * Compiles an RE2 pattern (with RE2 flag letters: i, m = multi-line, s = dot matches newline,
 * U = ungreedy) into a JavaScript RegExp. Throws RegexpSyntaxError when RE2 would reject it.
 */
export function compileUntrustedRegexp(source: string, flags = ''): RegExp {
  const flagSet = new Set<string>([...flags]);
  let s = source;
  // Leading (?flags) group, the form GitLab itself produces from `/re/flags`.
  for (;;) {
    const lead = /^\(\?([imsU]+)\)/.exec(s);
    if (!lead) break;
    for (const f of lead[1]!) flagSet.add(f);
    s = s.slice(lead[0].length);
  }
  const ungreedy = flagSet.has('U');
  let out = '';
  let unicode = false;
  let i = 0;
  let inClass = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      const { text, length, needsUnicode } = translateEscape(s, i, inClass);
      out += text;
      unicode ||= needsUnicode;
      i += length;
      continue;
    }
    if (inClass) {
      if (c === '[' && s[i + 1] === ':') {
        const end = s.indexOf(':]', i + 2);
        const name = end > 0 ? s.slice(i + 2, end) : '';
        const negated = name.startsWith('^');
        const body = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (body === undefined) throw new RegexpSyntaxError(`invalid character class range: ${s.slice(i, end + 2)}`);
        if (negated) throw new RegexpSyntaxError('negated POSIX classes are not supported');
        out += body;
        i = end + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (s[i] === '^') { out += '^'; i++; }
      if (s[i] === ']') { out += '\\]'; i++; } // a leading ] is a literal in RE2
      continue;
    }
    if (c === '(' && s[i + 1] === '?') {
      const rest = s.slice(i + 2);
      if (/^(=|!|<=|<!|>|#)/.test(rest)) throw new RegexpSyntaxError(`invalid or unsupported Perl syntax: (?${rest.slice(0, 2)}`);
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]!}>`;
        i += 2 + named[0].length;
        continue;
      }
      const inline = /^([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
      if (inline) {
        for (const f of inline[1]!) flagSet.add(f); // approximation: applies to the whole pattern
        out += inline[3] === ':' ? '(?:' : '';
        i += 2 + inline[0].length;
        continue;
      }
      throw new RegexpSyntaxError(`invalid or unsupported Perl syntax: (?${rest.slice(0, 1)}`);
    }
    if (c === '*' || c === '+' || c === '?') {
      const next = s[i + 1];
      if (next === '*' || next === '+') throw new RegexpSyntaxError(`bad repetition operator: ${c}${next}`);
      out += c;
      i++;
      if (s[i] === '?') { i++; if (!ungreedy) out += '?'; } else if (ungreedy) out += '?';
      continue;
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i));
      if (!rep) { out += '\\{'; i++; continue; } // RE2 reads a malformed {..} literally
      if (Number(rep[1]) > 1000 || (rep[3] && Number(rep[3]) > 1000)) throw new RegexpSyntaxError(`bad repetition operator: ${rep[0]}`);
      out += rep[0];
      i += rep[0].length;
      if (s[i] === '?') { i++; if (!ungreedy) out += '?'; } else if (ungreedy) out += '?';
      continue;
    }
    if (c === '}') { out += '\\}'; i++; continue; }
    if (c === '/') { out += '\\/'; i++; continue; }
    out += c;
    i++;
  }
  if (inClass) throw new RegexpSyntaxError(`missing closing ]: ${source}`);
  let jsFlags = '';
  if (flagSet.has('i')) jsFlags += 'i';
  if (flagSet.has('m')) jsFlags += 'm';
  if (flagSet.has('s')) jsFlags += 's';
  if (unicode) jsFlags += 'u';
  try {
    return new RegExp(out, jsFlags);
  } catch (e) {
    throw new RegexpSyntaxError((e as Error).message);
  }
}

function translateEscape(s: string, i: number, inClass: boolean): { text: string; length: number; needsUnicode: boolean } {
  const n = s[i + 1];
  if (n === undefined) throw new RegexpSyntaxError('trailing \\');
  const plain = (text: string, length = 2) => ({ text, length, needsUnicode: false });
  if ('dDwWsSbBfnrtv'.includes(n)) {
    if (inClass && (n === 'b' || n === 'B')) throw new RegexpSyntaxError(`invalid escape sequence: \\${n}`);
    return plain(`\\${n}`);
  }
  if (n === 'A') return plain('(?<![\\s\\S])');
  if (n === 'z') return plain('(?![\\s\\S])');
  if (n === 'a') return plain('\\x07');
  if (n === 'Q') {
    const end = s.indexOf('\\E', i + 2);
    const literal = end < 0 ? s.slice(i + 2) : s.slice(i + 2, end);
    const escaped = [...literal].map((ch) => (JS_SYNTAX_CHARS.has(ch) ? `\\${ch}` : ch)).join('');
    return plain(escaped, (end < 0 ? s.length : end + 2) - i);
  }
  if (n === 'x') {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(s.slice(i + 2));
    if (braced) return { text: `\\u{${braced[1]!}}`, length: 2 + braced[0].length, needsUnicode: true };
    const two = /^[0-9A-Fa-f]{2}/.exec(s.slice(i + 2));
    if (!two) throw new RegexpSyntaxError('invalid escape sequence: \\x');
    return plain(`\\x${two[0]}`, 4);
  }
  if (n === 'p' || n === 'P') {
    const m = /^(\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(s.slice(i + 2));
    if (!m) throw new RegexpSyntaxError(`invalid character class range: \\${n}`);
    const name = m[1]!.startsWith('{') ? m[1]!.slice(1, -1) : m[1]!;
    const negate = name.startsWith('^') !== (n === 'P');
    return { text: `\\${negate ? 'P' : 'p'}{${name.replace(/^\^/, '')}}`, length: 2 + m[1]!.length, needsUnicode: true };
  }
  if (n >= '0' && n <= '7') {
    const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))![0];
    if (n !== '0' && oct.length < 2) throw new RegexpSyntaxError(`invalid escape sequence: \\${n}`); // a backreference
    const code = parseInt(oct, 8);
    return plain(`\\x${code.toString(16).padStart(2, '0')}`, 1 + oct.length);
  }
  if (n === '8' || n === '9') throw new RegexpSyntaxError(`invalid escape sequence: \\${n}`);
  if (/[A-Za-z0-9]/.test(n)) throw new RegexpSyntaxError(`invalid escape sequence: \\${n}`);
  // Escaped punctuation is the character itself.
  if (n === '-' && !inClass) return plain('-');
  return plain(JS_SYNTAX_CHARS.has(n) ? `\\${n}` : n);
}
