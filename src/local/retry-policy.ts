// Automatic retry decision (gitlab-server-facts §5.6): retry:max, retry:when and retry:exit_codes.
import type { RetrySpec } from '../pipeline/spec/job-spec.js';
import type { JobResult } from '../runtime/types.js';

/** Failure reasons GitLab never retries automatically, whatever retry:when says. */
const NEVER_RETRIED = new Set(['missing_dependency_failure', 'ci_quota_exceeded', 'no_matching_runner']);

/** Aliases: a retry:when entry that also covers other reasons. */
const ALIASES: Record<string, string[]> = {
  stuck_or_timeout_failure: ['job_execution_timeout'],
};

/** Whether a job that ended with `result` after `attemptsSoFar` runs gets another run. */
export function shouldRetry(retry: RetrySpec, result: JobResult, attemptsSoFar: number): boolean {
  if (result.status !== 'failed') return false;
  if (attemptsSoFar - 1 >= retry.max) return false;
  const reason = result.failureReason ?? 'unknown_failure';
  if (NEVER_RETRIED.has(reason)) return false;
  const when = retry.when.length === 0 ? ['always'] : retry.when;
  const reasonMatches = when.some((w) => w === 'always' || w === reason || (ALIASES[w] ?? []).includes(reason));
  if (!reasonMatches) return false;
  if (retry.exitCodes.length > 0) {
    return result.exitCode !== undefined && retry.exitCodes.includes(result.exitCode);
  }
  return true;
}
