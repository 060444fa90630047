// Turns what happened in a stage (an exit code, a thrown error, a fired signal) into GitLab's
// vocabulary: status, failure_reason and the text after "ERROR: Job failed".
import { ExecutorError } from '../executor/executor.js';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import type { FailureReason, JobStatus } from './types.js';

/** A stage's script exited non-zero (gitlab-runner BuildError{ExitCode}). */
export class ScriptExitError extends Error {
  override readonly name = 'ScriptExitError';
  constructor(readonly exitCode: number) {
    super(`exit code ${exitCode}`);
  }
}

export interface Failure {
  status: Exclude<JobStatus, 'success'>;
  failureReason?: FailureReason;
  /** Shown as `ERROR: Job failed: <message>` (or `Job failed (system failure): <message>`). */
  message: string;
  /** gitlab-runner prints system failures differently. */
  system: boolean;
  exitCode?: number;
}

const REASONS: ReadonlySet<string> = new Set<FailureReason>([
  'script_failure', 'runner_system_failure', 'job_execution_timeout', 'missing_dependency_failure',
  'image_pull_failure', 'runner_configuration_error', 'unknown_failure',
]);

/**
 * Classifies an error thrown by a stage that ran without any signal firing.
 * Errors from a JobWorkspace may carry a `failureReason` property to choose the reason
 * (e.g. missing_dependency_failure); anything else is a runner_system_failure, as in GitLab.
 */
export function classifyError(err: unknown): Failure {
  if (err instanceof ScriptExitError) {
    return { status: 'failed', failureReason: 'script_failure', message: err.message, system: false, exitCode: err.exitCode };
  }
  const message = err instanceof Error ? err.message : String(err);
  const reason = err instanceof ExecutorError ? err.failureReason : declaredReason(err);
  const failureReason = reason ?? 'runner_system_failure';
  return { status: 'failed', failureReason, message, system: failureReason === 'runner_system_failure' };
}

export function timeoutFailure(message: string): Failure {
  return { status: 'failed', failureReason: 'job_execution_timeout', message, system: false };
}

export function cancelFailure(): Failure {
  return { status: 'canceled', message: 'canceled', system: false };
}

/** allow_failure: true, or allow_failure:exit_codes matching the script's exit code. */
export function isAllowedToFail(spec: Pick<JobSpec, 'allowFailure'>, failure: Failure): boolean {
  if (failure.status !== 'failed') return false;
  const allow = spec.allowFailure;
  if (allow === true) return true;
  if (allow === false) return false;
  return failure.exitCode !== undefined && allow.exitCodes.includes(failure.exitCode);
}

function declaredReason(err: unknown): FailureReason | undefined {
  if (typeof err !== 'object' || err === null || !('failureReason' in err)) return undefined;
  const value = (err as { failureReason: unknown }).failureReason;
  return typeof value === 'string' && REASONS.has(value) ? (value as FailureReason) : undefined;
}
