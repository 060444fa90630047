// Jobs whose runner went away: GitLab's stuck-jobs worker fails a running job that got no update
// for a while (no_updates_running) or that runs far past its timeout (server_timeout_running).
import type { JobRecord } from '../store/store.js';
import { autoCancelOnJobFailure } from './auto-cancel.js';
import { processPipelineNow } from './pipeline-processor.js';
import type { ServerContext } from './server-context.js';

export interface StaleLimits {
  /** No trace or state from the runner for this long → failed. GitLab: 1 hour. */
  noUpdateSeconds: number;
  /** Running longer than its timeout plus this → failed. */
  timeoutGraceSeconds: number;
}

export const DEFAULT_STALE_LIMITS: StaleLimits = { noUpdateSeconds: 3600, timeoutGraceSeconds: 900 };

/** Why `job` should be dropped at `now`, or undefined while it is healthy. */
export function staleReason(job: JobRecord, now: number, timeoutSeconds: number, limits: StaleLimits): string | undefined {
  const last = Date.parse(job.updatedAt ?? job.startedAt ?? job.createdAt);
  const started = Date.parse(job.startedAt ?? job.createdAt);
  if (now - last > limits.noUpdateSeconds * 1000) return job.status === 'canceling' ? 'no_updates_canceling' : 'no_updates_running';
  if (now - started > (timeoutSeconds + limits.timeoutGraceSeconds) * 1000) {
    return job.status === 'canceling' ? 'server_timeout_canceling' : 'server_timeout_running';
  }
  return undefined;
}

/** One sweep: drops stale jobs and reprocesses their pipelines; returns the ids dropped. */
export async function sweepStaleJobs(ctx: ServerContext, limits: StaleLimits, now = Date.now()): Promise<number[]> {
  const dropped: number[] = [];
  for (const job of await ctx.store.executingJobs()) {
    // A trigger job runs as long as its child pipeline: no runner reports on it.
    if (job.spec.trigger !== undefined) continue;
    const runner = job.runnerId !== null ? await ctx.store.runnerById(job.runnerId) : undefined;
    const wanted = job.spec.timeoutSeconds ?? ctx.defaultTimeoutSeconds;
    const timeout = runner?.maximumTimeout != null ? Math.min(wanted, runner.maximumTimeout) : wanted;
    const reason = staleReason(job, now, timeout, limits);
    if (!reason) continue;
    const at = new Date(now).toISOString();
    await ctx.store.updateJob(job.id, job.status === 'canceling'
      ? { status: 'canceled', finishedAt: at }
      : { status: 'failed', failureReason: reason, finishedAt: at });
    const failed = job.status !== 'canceling';
    if (!failed || !(await autoCancelOnJobFailure(ctx, { ...job, status: 'failed', failureReason: reason }))) {
      await processPipelineNow(ctx, job.pipelineId);
    }
    ctx.log.warn({ jobId: job.id, reason }, 'dropped a job whose runner stopped reporting');
    dropped.push(job.id);
  }
  return dropped;
}
