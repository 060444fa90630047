// A job log indexed for a virtual view: line starts, the ANSI state at each line start and the
// sections (`section_start:<ts>:<name>[opts]` / `section_end:<ts>:<name>`), built in one pass that
// only visits newlines, escapes and markers, and extended in place as the live tail appends.
import { applySgrRange, resetState, type SgrState } from './ansi.js';

export interface LogSection {
  name: string;
  /** The line whose text is the section's title. */
  header: number;
  /** Last line of the body (inclusive); -1 while the section is open. */
  last: number;
  startTs: number;
  endTs: number | undefined;
  collapsed: boolean;
  depth: number;
}

const MARKER = /^section_(start|end):(\d+):([A-Za-z0-9_.-]+)(\[[^\]\r\n]*\])?\r?/;

class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class GrowableI32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  truncate(n: number): void { this.length = Math.min(this.length, n); }
}

export class LogModel {
  text = '';
  private starts = new GrowableU32();
  private fg = new GrowableI32();
  private bg = new GrowableI32();
  private flags = new GrowableI32();
  readonly sections: LogSection[] = [];
  /** header line → index in `sections` (the innermost section that line starts). */
  readonly headerOf = new Map<number, number>();
  private open: number[] = [];
  /** State after the last complete line; the last (partial) line is re-indexed on append. */
  private state: SgrState = resetState();
  private complete = 0;
  /** Text index just after the last complete line. */
  private resume = 0;

  get lineCount(): number {
    return this.starts.length;
  }

  append(chunk: string): void {
    if (chunk === '') return;
    this.text += chunk;
    // Drop the partial last line: it is indexed again with its new end.
    this.starts.length = this.complete;
    this.fg.truncate(this.complete);
    this.bg.truncate(this.complete);
    this.flags.truncate(this.complete);
    this.index();
  }

  private index(): void {
    const text = this.text;
    const len = text.length;
    let pos = this.resume;
    let nextEsc = text.indexOf('\x1b', pos);
    let nextMarker = text.indexOf('section_', pos);
    const st = { ...this.state };
    while (pos < len) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? len : nl;
      const line = this.starts.length;
      this.starts.push(pos);
      this.fg.push(st.fg);
      this.bg.push(st.bg);
      this.flags.push(st.flags);
      const lineState = nl < 0 ? { ...st } : st;
      while (nextEsc >= 0 && nextEsc < end) {
        nextEsc = text.indexOf('\x1b', this.escape(text, nextEsc, end, lineState));
      }
      while (nextMarker >= 0 && nextMarker < end) {
        if (nl >= 0) this.marker(text, nextMarker, pos, line);
        nextMarker = text.indexOf('section_', nextMarker + 8);
      }
      if (nl < 0) break; // partial line: its state and markers are taken when it completes
      pos = nl + 1;
      this.complete = line + 1;
      this.resume = pos;
      this.state = { ...st };
    }
  }

  /** Applies the escape at `at` (SGR only; other sequences have no lasting effect); returns its end. */
  private escape(text: string, at: number, end: number, st: SgrState): number {
    if (text.charCodeAt(at + 1) !== 0x5b) return Math.min(at + 2, end);
    let j = at + 2;
    while (j < end) {
      const ch = text.charCodeAt(j);
      if (ch >= 0x40 && ch <= 0x7e) break;
      j++;
    }
    if (j >= end) return end;
    if (text.charCodeAt(j) === 0x6d) applySgrRange(text, at + 2, j, st);
    return j + 1;
  }

  private marker(text: string, at: number, lineStart: number, line: number): void {
    const m = MARKER.exec(text.slice(at, at + 300));
    if (!m) return;
    const [, kind, ts, name, opts] = m;
    if (kind === 'start') {
      const idx = this.sections.length;
      this.sections.push({
        name: name ?? '', header: line, last: -1, startTs: Number(ts), endTs: undefined,
        collapsed: opts?.includes('collapsed=true') ?? false, depth: this.open.length,
      });
      this.headerOf.set(line, idx);
      this.open.push(idx);
      return;
    }
    // Close the named section (and any left open inside it).
    const k = this.open.findLastIndex((i) => this.sections[i]?.name === name);
    if (k < 0) return;
    // A marker that starts its line (only escapes/markers before it) ends the body on the line above.
    const before = text.slice(lineStart, at).replace(/\x1b\[[0-9;]*[A-Za-z]|section_(start|end):\d+:[A-Za-z0-9_.-]+(\[[^\]]*\])?\r?/g, '');
    const last = before === '' ? line - 1 : line;
    for (const i of this.open.splice(k)) {
      const s = this.sections[i];
      if (s) { s.last = Math.max(s.header, last); s.endTs = Number(ts); }
    }
  }

  lineEnd(line: number): number {
    if (line + 1 < this.starts.length) return (this.starts.data[line + 1] ?? 0) - 1;
    return line < this.complete ? this.resume - 1 : this.text.length;
  }

  lineStart(line: number): number {
    return this.starts.data[line] ?? 0;
  }

  stateAt(line: number): SgrState {
    return { fg: this.fg.data[line] ?? -1, bg: this.bg.data[line] ?? -1, flags: this.flags.data[line] ?? 0 };
  }

  /** Lines that are shown: bodies of collapsed sections are skipped (their header stays). */
  visibleLines(): Uint32Array {
    const n = this.lineCount;
    const out = new Uint32Array(n);
    let count = 0;
    let line = 0;
    // Sections are in header order: copy the runs between collapsed bodies.
    for (const s of this.sections) {
      if (!s.collapsed || s.header < line || s.header >= n) continue;
      while (line <= s.header) out[count++] = line++;
      line = s.last < 0 ? n : Math.max(line, s.last + 1);
    }
    while (line < n) out[count++] = line++;
    return out.subarray(0, count);
  }

  /**
   * Lines whose text contains `query`, ignoring case, in order (at most `limit`). The raw text is
   * searched, so a match split by a colour escape is missed.
   */
  findLines(query: string, limit = 10_000): number[] {
    if (query === '') return [];
    const re = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    const out: number[] = [];
    while (out.length < limit) {
      const m = re.exec(this.text);
      if (!m) break;
      const line = this.lineAt(m.index);
      out.push(line);
      // One entry per line: go on from the next line's start.
      re.lastIndex = line + 1 < this.starts.length ? (this.starts.data[line + 1] ?? this.text.length) : this.text.length;
    }
    return out;
  }

  /** The line holding text offset `offset`. */
  private lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts.data[mid] ?? 0) <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** Expands every section hiding `line` (for #L123 links). */
  reveal(line: number): boolean {
    let changed = false;
    for (const s of this.sections) {
      if (s.collapsed && s.header < line && (s.last < 0 || line <= s.last)) { s.collapsed = false; changed = true; }
    }
    return changed;
  }
}
