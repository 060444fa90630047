// Scheduler result → the summary the user sees (rows of the final table and the pipeline status).
import type { PipelineSummary } from './output/run-reporter.js';
import type { SummaryRow } from './output/summary-table.js';
import { failureText } from './output/console-reporter.js';
import type { SchedulerResult } from './scheduler.js';

/** `extraNote` adds a job's own note (e.g. the report artifacts it kept) after the status note. */
export function summarize(r: SchedulerResult, p: { id: number; durationMs: number; logDir: string }, extraNote?: (job: string) => string | undefined): PipelineSummary {
  const rows: SummaryRow[] = r.jobs.map((j) => {
    const last = j.attempts[j.attempts.length - 1];
    const first = j.attempts[0];
    const row: SummaryRow = { name: j.spec.name, stage: j.spec.stage, status: displayStatus(j.status, last?.allowedToFail ?? false), attempts: j.attempts.length };
    if (first !== undefined && last !== undefined) row.durationMs = last.finishedAt.getTime() - first.startedAt.getTime();
    if (last !== undefined && last.status !== 'success') row.note = failureText(last);
    if (j.status === 'manual') row.note = `--manual ${j.spec.name}`;
    if (j.status === 'created') row.note = 'waits for a manual job';
    if (j.spec.when === 'delayed' && row.note === undefined) row.note = `delayed ${j.spec.startIn ?? ''}`.trim();
    const extra = extraNote?.(j.spec.name);
    if (extra !== undefined) row.note = row.note !== undefined ? `${row.note}; ${extra}` : extra;
    return row;
  });
  const waitingManual = r.jobs.filter((j) => j.status === 'manual' && j.spec.allowFailure === false).map((j) => j.spec.name);
  const status = r.status === 'manual' ? 'blocked' : r.status;
  return { id: p.id, status, durationMs: p.durationMs, rows, logDir: p.logDir, waitingManual };
}

function displayStatus(status: string, allowedToFail: boolean): string {
  switch (status) {
    case 'success': return 'passed';
    case 'failed': return allowedToFail ? 'allowed to fail' : 'failed';
    case 'created': return 'blocked';
    default: return status;
  }
}
