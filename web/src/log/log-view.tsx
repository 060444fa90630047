// The job log, virtualised: only the rows in view (plus a margin) are in the DOM, so a 50 MB log
// opens and scrolls like a small one. Rows have a fixed height; very tall logs are scaled onto a
// scroll range the browser can hold. Sections fold at their header; #L123 links reveal the line.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { BOLD, cssColor, FAINT, INVERSE, ITALIC, STRIKE, UNDERLINE } from './ansi.js';
import type { LogModel } from './log-model.js';
import { formatDuration, renderLine, type Span } from './render-line.js';

const LINE_HEIGHT = 20;
const OVERSCAN = 30;
/** Chromium's element height limit is ~33.5M px; stay well below it. */
const MAX_SCROLL_PX = 8_000_000;
const DEFAULT_FG = '#e6edf3';
const DEFAULT_BG = '#0d1117';

function spanStyle(s: Span): string | undefined {
  if (s.fg === -1 && s.bg === -1 && s.flags === 0) return undefined;
  let fg = cssColor(s.fg);
  let bg = cssColor(s.bg);
  if (s.flags & INVERSE) [fg, bg] = [bg ?? DEFAULT_BG, fg ?? DEFAULT_FG];
  const parts: string[] = [];
  if (fg) parts.push(`color:${fg}`);
  if (bg) parts.push(`background:${bg}`);
  if (s.flags & BOLD) parts.push('font-weight:700');
  if (s.flags & FAINT) parts.push('opacity:.7');
  if (s.flags & ITALIC) parts.push('font-style:italic');
  const deco = [(s.flags & UNDERLINE) && 'underline', (s.flags & STRIKE) && 'line-through'].filter(Boolean).join(' ');
  if (deco) parts.push(`text-decoration:${deco}`);
  return parts.join(';');
}

function lowerBound(arr: Uint32Array, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] ?? 0) < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export interface LogViewProps {
  model: LogModel;
  /** Bumped when the model grows. */
  version: number;
  /** Keep the end in view while the log grows (until the reader scrolls up). */
  follow: boolean;
  label: string;
  /** A search match to bring into view (`seq` changes for every move, also back to the same line). */
  focus?: { line: number; seq: number } | undefined;
  /** Lines that match the current search: marked in the gutter. */
  matches?: ReadonlySet<number>;
}

export function LogView({ model, version, follow, label, focus, matches }: LogViewProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [folds, setFolds] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [target, setTarget] = useState<number | undefined>();
  const atEnd = useRef(true);
  const visible = useMemo(() => model.visibleLines(), [model, version, folds]);
  const rows = visible.length;
  const fullPx = rows * LINE_HEIGHT;
  const spacerPx = Math.min(fullPx, MAX_SCROLL_PX);
  // Map scroll position → virtual position (1:1 unless the log is taller than MAX_SCROLL_PX).
  const ratio = spacerPx > viewport ? (fullPx - viewport) / (spacerPx - viewport) : 1;
  const virtualTop = scrollTop * ratio;
  const first = Math.max(0, Math.floor(virtualTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((virtualTop + viewport) / LINE_HEIGHT) + OVERSCAN);
  const windowTop = scrollTop - (virtualTop - first * LINE_HEIGHT);

  const scrollToRow = (row: number, align: 'center' | 'end') => {
    const el = scroller.current;
    if (!el) return;
    const v = align === 'end' ? fullPx : row * LINE_HEIGHT - el.clientHeight / 3;
    el.scrollTop = Math.max(0, v / ratio);
    setScrollTop(el.scrollTop);
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Live tail: stay at the end when the reader was there.
  useLayoutEffect(() => {
    if (follow && atEnd.current && target === undefined) scrollToRow(rows, 'end');
  }, [version, follow]);

  // #L123: reveal and centre the line (also when the hash changes later).
  useEffect(() => {
    const go = () => {
      const m = /^#L(\d+)$/.exec(location.hash);
      if (!m) return;
      const line = Number(m[1]) - 1;
      if (line < 0 || line >= model.lineCount) return;
      if (model.reveal(line)) setFolds((f) => f + 1);
      setTarget(line);
    };
    go();
    addEventListener('hashchange', go);
    return () => removeEventListener('hashchange', go);
  }, [model, model.lineCount > 0]);
  // A search match: open what hides it, then centre it like a #L link.
  useEffect(() => {
    if (!focus) return;
    if (model.reveal(focus.line)) setFolds((f) => f + 1);
    setTarget(focus.line);
  }, [focus?.seq]);
  useLayoutEffect(() => {
    if (target === undefined) return;
    scrollToRow(lowerBound(visible, target), 'center');
  }, [target, focus?.seq, folds]);

  const toggle = (idx: number) => {
    const s = model.sections[idx];
    if (!s) return;
    s.collapsed = !s.collapsed;
    setFolds((f) => f + 1);
  };

  const items = [];
  for (let r = first; r < last; r++) {
    const line = visible[r] ?? 0;
    const sectionIdx = model.headerOf.get(line);
    const section = sectionIdx === undefined ? undefined : model.sections[sectionIdx];
    const spans = renderLine(model, line);
    const n = line + 1;
    const text = spans.map((s, i) => <span key={i} style={spanStyle(s)}>{s.text}</span>);
    items.push(
      <div key={line} class={`log-row${target === line ? ' log-target' : ''}${section ? ' log-section' : ''}${matches?.has(line) ? ' log-match' : ''}`}>
        <a class="ln" href={`#L${n}`} id={`L${n}`} tabIndex={-1} aria-label={`Line ${n}`}>{n}</a>
        {section ? (
          <button type="button" class="log-fold" aria-expanded={!section.collapsed} onClick={() => toggle(sectionIdx ?? -1)}
            style={{ paddingLeft: `${section.depth * 12}px` }} data-section={section.name}>
            <span class="chev" aria-hidden="true">{section.collapsed ? '▸' : '▾'}</span>
            <span class="log-text">{text}</span>
            {section.endTs !== undefined && <span class="log-dur">{formatDuration(section.endTs - section.startTs)}</span>}
          </button>
        ) : <span class="log-text">{text}</span>}
      </div>,
    );
  }

  return (
    <div class="log" ref={scroller} tabIndex={0} role="region" aria-label={label}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        setScrollTop(el.scrollTop);
        atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT * 2;
      }}>
      <div class="log-spacer" style={{ height: `${spacerPx}px` }}>
        <div class="log-window" style={{ transform: `translateY(${windowTop}px)` }}>{items}</div>
      </div>
      {rows === 0 && <p class="log-empty">No output yet.</p>}
    </div>
  );
}
