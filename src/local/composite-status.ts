// GitLab's composite status (Gitlab::Ci::Status::Composite): the status of a set of jobs, used for
// a job's "previous status" (earlier stages or its needs) and for the pipeline itself.

export type LocalJobStatus =
  | 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual' | 'scheduled';

export type CompositeStatus =
  | 'success' | 'failed' | 'canceled' | 'skipped' | 'created' | 'pending' | 'running' | 'manual';

/** One job as the composite sees it. */
export interface StatusEntry {
  status: LocalJobStatus;
  /** allow_failure applies: a failed/canceled job counts as success with warnings, a manual one is ignored. */
  allowFailure: boolean;
}

type Contribution = LocalJobStatus | 'success_with_warnings' | 'ignored';

function contribution(e: StatusEntry): Contribution {
  // A delayed job waiting for its start time is still to run: for what follows it, like pending.
  if (e.status === 'scheduled') return 'pending';
  if (e.allowFailure && (e.status === 'failed' || e.status === 'canceled')) return 'success_with_warnings';
  if (e.allowFailure && e.status === 'manual') return 'ignored';
  return e.status;
}

/** First matching rule wins (gitlab-server-facts §5.4). An empty set is `success`. */
export function compositeStatus(entries: readonly StatusEntry[]): CompositeStatus {
  if (entries.length === 0) return 'success';
  const seen = new Set(entries.map(contribution));
  const only = (...allowed: Contribution[]): boolean => [...seen].every((s) => allowed.includes(s));
  const any = (s: Contribution): boolean => seen.has(s);
  if (only('skipped', 'ignored')) return 'skipped';
  if (only('success', 'skipped', 'success_with_warnings', 'ignored')) return 'success';
  if (only('created', 'success_with_warnings', 'ignored')) return 'created';
  if (only('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) return 'canceled';
  if (only('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return 'pending';
  if (any('running') || any('pending')) return 'running';
  if (any('manual')) return 'manual';
  if (any('created')) return 'running';
  return 'failed';
}

/** Completed statuses: a job whose previous status is one of these can be processed. */
export function isComplete(status: CompositeStatus): boolean {
  return status === 'success' || status === 'failed' || status === 'canceled' || status === 'skipped';
}
