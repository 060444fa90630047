// How console output looks: coloured with symbols on a terminal, plain ASCII otherwise.

export interface Style {
  color: boolean;
  paint(text: string, code: string): string;
  symbols: { start: string; ok: string; fail: string; warn: string; skip: string; retry: string; manual: string; cancel: string };
}

export const ttyStyle: Style = {
  color: true,
  paint: (text, code) => `\x1b[${code}m${text}\x1b[0m`,
  symbols: { start: '▶', ok: '✔', fail: '✖', warn: '⚠', skip: '⊘', retry: '↻', manual: '⏸', cancel: '■' },
};

export const plainStyle: Style = {
  color: false,
  paint: (text) => text,
  symbols: { start: '>', ok: 'OK', fail: 'FAIL', warn: 'WARN', skip: 'SKIP', retry: 'RETRY', manual: 'MANUAL', cancel: 'CANCEL' },
};

/** Distinct colours for job-name prefixes (ANSI codes), chosen by the job's position. */
export const PREFIX_COLORS = ['36', '33', '35', '32', '34', '96', '93', '95', '92', '94'];

export const CODES = { red: '31;1', green: '32;1', yellow: '33', dim: '2', bold: '1', cyan: '36;1' };

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}
