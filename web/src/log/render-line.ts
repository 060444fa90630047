// One log line → styled spans, from the ANSI state at its start. A carriage return (progress bars,
// and the `section_...\r` markers) drops what came before it on the line, as a terminal shows it.
import { applySgr, readEscape, type SgrState } from './ansi.js';
import type { LogModel } from './log-model.js';

export interface Span {
  text: string;
  fg: number;
  bg: number;
  flags: number;
}

/** Longest text rendered for one line; the raw log download has the rest. */
const MAX_LINE = 20_000;

export function renderLine(model: LogModel, line: number): Span[] {
  const text = model.text;
  const start = model.lineStart(line);
  let end = model.lineEnd(line);
  if (text.charCodeAt(end - 1) === 13) end--; // CRLF
  const st: SgrState = model.stateAt(line);
  let spans: Span[] = [];
  let runStart = start;
  const flush = (to: number) => {
    if (to > runStart) spans.push({ text: text.slice(runStart, Math.min(to, runStart + MAX_LINE)), fg: st.fg, bg: st.bg, flags: st.flags });
  };
  let i = start;
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (ch === 0x1b) {
      flush(i);
      const esc = readEscape(text, i, end);
      if (esc.sgr !== undefined) applySgr(esc.sgr, st);
      i = esc.next;
      runStart = i;
    } else if (ch === 13) {
      spans = [];
      i++;
      runStart = i;
    } else {
      i++;
      if (i - start > MAX_LINE * 4) break;
    }
  }
  flush(i);
  return mergeSpans(spans);
}

function mergeSpans(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const prev = out[out.length - 1];
    if (prev && prev.fg === s.fg && prev.bg === s.bg && prev.flags === s.flags) prev.text += s.text;
    else out.push({ ...s });
  }
  return out;
}

/** Plain text of a line (for tests and search). */
export function lineText(model: LogModel, line: number): string {
  return renderLine(model, line).map((s) => s.text).join('');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}
