// GitLab's shared status vocabulary for jobs, stages and pipelines, and the composite status
// (server facts §5.1, §5.4).

export const JOB_STATUSES = [
  'created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'success', 'failed',
  'canceling', 'canceled', 'skipped', 'manual', 'scheduled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const COMPLETED_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running'];
/** Statuses a cancel applies to (alive + scheduled). */
export const CANCELABLE_STATUSES: readonly JobStatus[] = ['created', ...ACTIVE_STATUSES, 'canceling', 'manual', 'scheduled'];

export function isCompleted(status: JobStatus): boolean {
  return COMPLETED_STATUSES.includes(status);
}

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

/** A job as the composite sees it. */
export interface StatusItem {
  status: JobStatus;
  allowFailure: boolean;
}

type CompositeEntry = JobStatus | 'success_with_warnings' | 'ignored';

/** The composite of several statuses; undefined for none (callers treat that as success). */
export function compositeStatus(items: readonly StatusItem[]): JobStatus | undefined {
  if (items.length === 0) return undefined;
  const seen = new Set<CompositeEntry>();
  for (const item of items) {
    if (item.allowFailure && (item.status === 'failed' || item.status === 'canceled')) seen.add('success_with_warnings');
    else if (item.allowFailure && item.status === 'manual') seen.add('ignored');
    else seen.add(item.status);
  }
  const only = (...allowed: CompositeEntry[]) => [...seen].every((s) => allowed.includes(s));
  const any = (...wanted: CompositeEntry[]) => wanted.some((s) => seen.has(s));
  if (only('skipped', 'ignored')) return 'skipped';
  if (only('success', 'skipped', 'success_with_warnings', 'ignored')) return 'success';
  if (only('created', 'success_with_warnings', 'ignored')) return 'created';
  if (only('preparing', 'success_with_warnings', 'ignored')) return 'preparing';
  if (only('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) return 'canceled';
  if (only('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return 'pending';
  if (any('running', 'pending')) return 'running';
  if (any('waiting_for_resource')) return 'waiting_for_resource';
  if (any('waiting_for_callback')) return 'waiting_for_callback';
  if (any('manual')) return 'manual';
  if (any('scheduled')) return 'scheduled';
  if (any('preparing')) return 'preparing';
  if (any('created')) return 'running';
  if (any('canceling')) return 'canceling';
  return 'failed';
}
