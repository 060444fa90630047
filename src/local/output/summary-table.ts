// The table printed when a pipeline ends: one row per job with stage, status, duration and a note.
import { CODES, formatDuration, type Style } from './style.js';

export interface SummaryRow {
  name: string;
  stage: string;
  /** passed, failed, allowed to fail, skipped, manual, canceled, created (blocked). */
  status: string;
  durationMs?: number;
  attempts: number;
  note?: string;
}

const STATUS_COLORS: Record<string, string> = {
  passed: CODES.green, failed: CODES.red, 'allowed to fail': CODES.yellow, canceled: CODES.red,
  skipped: CODES.dim, manual: CODES.yellow, blocked: CODES.dim,
};

export function renderSummaryTable(rows: readonly SummaryRow[], style: Style): string {
  const header = ['job', 'stage', 'status', 'duration', 'note'];
  const cells = rows.map((r) => [
    r.name,
    r.stage,
    r.status,
    r.durationMs === undefined ? '-' : formatDuration(r.durationMs),
    [r.attempts > 1 ? `${r.attempts} attempts` : '', r.note ?? ''].filter((s) => s !== '').join('; '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const pad = (text: string, i: number): string => text.padEnd(widths[i] ?? 0);
  const lines = [style.paint(header.map(pad).join('  ').trimEnd(), CODES.bold)];
  cells.forEach((c, rowIndex) => {
    const status = rows[rowIndex]?.status ?? '';
    const painted = c.map((text, i) => (i === 2 ? style.paint(pad(text, i), STATUS_COLORS[status] ?? '0') : pad(text, i)));
    lines.push(painted.join('  ').trimEnd());
  });
  return `${lines.join('\n')}\n`;
}
