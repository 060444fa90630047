// Search in the job log. The log is virtualised, so the browser's own find sees only the rows in
// view: this searches the whole text, then moves through the matching lines (Enter / Shift+Enter,
// or the arrows), opening folded sections on the way.
import { useEffect, useState } from 'preact/hooks';
import type { LogModel } from './log-model.js';

export interface LogSearchProps {
  model: LogModel;
  /** Bumped when the model grows: the matches are found again. */
  version: number;
  /** The line to bring into view (its sections opened), or undefined when the search is cleared. */
  onFocus: (focus: { line: number; seq: number } | undefined) => void;
  onMatches: (lines: ReadonlySet<number>) => void;
}

export function LogSearch({ model, version, onFocus, onMatches }: LogSearchProps) {
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<number[]>([]);
  const [current, setCurrent] = useState(-1);
  const [seq, setSeq] = useState(0);

  useEffect(() => {
    const found = model.findLines(query);
    setMatches(found);
    onMatches(new Set(found));
    if (found.length === 0) { setCurrent(-1); onFocus(undefined); }
  }, [query, version]);

  const go = (step: 1 | -1) => {
    if (matches.length === 0) return;
    const next = current < 0 ? (step === 1 ? 0 : matches.length - 1) : (current + step + matches.length) % matches.length;
    setCurrent(next);
    setSeq(seq + 1);
    onFocus({ line: matches[next] ?? 0, seq: seq + 1 });
  };

  const status = query === '' ? '' : matches.length === 0 ? 'No matches'
    : `${current < 0 ? '–' : (current + 1).toLocaleString()} of ${matches.length.toLocaleString()}${matches.length >= 10_000 ? '+' : ''}`;
  return (
    <form class="log-search" role="search" onSubmit={(e) => { e.preventDefault(); go(1); }}>
      <input type="search" value={query} placeholder="Search the log" aria-label="Search the log"
        onInput={(e) => { setQuery((e.currentTarget as HTMLInputElement).value); setCurrent(-1); }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && e.shiftKey) { e.preventDefault(); go(-1); }
          if (e.key === 'Escape') { setQuery(''); setCurrent(-1); }
        }} />
      <span class="muted small log-search-status" aria-live="polite">{status}</span>
      <button type="button" class="icon-btn" aria-label="Previous match" disabled={matches.length === 0} onClick={() => go(-1)}>↑</button>
      <button type="submit" class="icon-btn" aria-label="Next match" disabled={matches.length === 0}>↓</button>
    </form>
  );
}
