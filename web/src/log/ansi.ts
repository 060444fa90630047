// ANSI SGR state (colours and text attributes) as three numbers, so a 50 MB log can keep the
// state at every line start in typed arrays and render any line on its own.

/** fg/bg: -1 default, 0..255 palette, TRUECOLOR | 0xRRGGBB. */
export const DEFAULT_COLOR = -1;
export const TRUECOLOR = 0x1000000;

export const BOLD = 1;
export const FAINT = 2;
export const ITALIC = 4;
export const UNDERLINE = 8;
export const INVERSE = 16;
export const STRIKE = 32;

export interface SgrState {
  fg: number;
  bg: number;
  flags: number;
}

export function resetState(): SgrState {
  return { fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, flags: 0 };
}

/** Extended colour (38/48): `5;n` or `2;r;g;b` (also the colon forms `5:n`, `2::r:g:b`). Returns codes consumed. */
function extendedColor(codes: number[], i: number): { color: number; used: number } | undefined {
  const mode = codes[i];
  if (mode === 5) {
    const n = codes[i + 1];
    return n !== undefined && n >= 0 && n <= 255 ? { color: n, used: 2 } : undefined;
  }
  if (mode === 2) {
    const [r, g, b] = [codes[i + 1], codes[i + 2], codes[i + 3]];
    if (r === undefined || g === undefined || b === undefined) return undefined;
    return { color: TRUECOLOR | ((r & 255) << 16) | ((g & 255) << 8) | (b & 255), used: 4 };
  }
  return undefined;
}

/** Applies the parameters of one `ESC [ ... m` sequence to `st` (mutates). */
export function applySgr(params: string, st: SgrState): void {
  applySgrRange(params, 0, params.length, st);
}

/** applySgr on `text[from, to)` without slicing (the indexer calls this for every escape of a 50 MB log). */
export function applySgrRange(text: string, from: number, to: number, st: SgrState): void {
  const codes: number[] = [];
  let n = 0;
  let digits = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) { n = n * 10 + (c - 48); digits = true; }
    else if (c === 59 || c === 58) {
      // `38:2::r:g:b` has an empty colour-space slot: skip it so both forms read alike.
      if (!(c === 58 && !digits && text.charCodeAt(i - 1) === 58)) codes.push(n);
      n = 0;
      digits = false;
    } else return; // not SGR parameters (private or intermediate bytes): ignore the sequence
  }
  codes.push(n);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? 0;
    if (c === 0) { st.fg = DEFAULT_COLOR; st.bg = DEFAULT_COLOR; st.flags = 0; }
    else if (c === 1) st.flags |= BOLD;
    else if (c === 2) st.flags |= FAINT;
    else if (c === 3) st.flags |= ITALIC;
    else if (c === 4) st.flags |= UNDERLINE;
    else if (c === 7) st.flags |= INVERSE;
    else if (c === 9) st.flags |= STRIKE;
    else if (c === 22) st.flags &= ~(BOLD | FAINT);
    else if (c === 23) st.flags &= ~ITALIC;
    else if (c === 24) st.flags &= ~UNDERLINE;
    else if (c === 27) st.flags &= ~INVERSE;
    else if (c === 29) st.flags &= ~STRIKE;
    else if (c >= 30 && c <= 37) st.fg = c - 30;
    else if (c === 39) st.fg = DEFAULT_COLOR;
    else if (c >= 40 && c <= 47) st.bg = c - 40;
    else if (c === 49) st.bg = DEFAULT_COLOR;
    else if (c >= 90 && c <= 97) st.fg = c - 90 + 8;
    else if (c >= 100 && c <= 107) st.bg = c - 100 + 8;
    else if (c === 38 || c === 48) {
      const ext = extendedColor(codes, i + 1);
      if (!ext) break;
      if (c === 38) st.fg = ext.color; else st.bg = ext.color;
      i += ext.used;
    }
  }
}

/**
 * The escape sequence starting at `text[i]` (an ESC): its end index (exclusive) and, for SGR,
 * its parameters. Other CSI sequences (erase line, cursor moves) are skipped without effect.
 */
export function readEscape(text: string, i: number, end: number): { next: number; sgr?: string } {
  if (text.charCodeAt(i + 1) !== 0x5b /* [ */) return { next: Math.min(i + 2, end) };
  let j = i + 2;
  while (j < end) {
    const ch = text.charCodeAt(j);
    if (ch >= 0x40 && ch <= 0x7e) break; // final byte
    j++;
  }
  if (j >= end) return { next: end };
  return text.charCodeAt(j) === 0x6d /* m */ ? { next: j + 1, sgr: text.slice(i + 2, j) } : { next: j + 1 };
}

const BASE16 = [
  '#2e3436', '#e5534b', '#57ab5a', '#c69026', '#539bf5', '#b083f0', '#39c5cf', '#d1d5da',
  '#6e7681', '#ff7b72', '#7ee787', '#f2cc60', '#79c0ff', '#d2a8ff', '#56d4dd', '#ffffff',
];

/** CSS colour of a palette index or truecolor value (xterm's 256-colour cube and grey ramp). */
export function cssColor(color: number): string | undefined {
  if (color === DEFAULT_COLOR) return undefined;
  if (color & TRUECOLOR) return `#${(color & 0xffffff).toString(16).padStart(6, '0')}`;
  if (color < 16) return BASE16[color];
  if (color < 232) {
    const n = color - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(n / 36))},${level(Math.floor(n / 6) % 6)},${level(n % 6)})`;
  }
  const grey = 8 + (color - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}
