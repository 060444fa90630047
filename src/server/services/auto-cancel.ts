// Auto-cancel redundant pipelines (workflow:auto_cancel:on_new_commit, server facts §2.2.5): a new
// commit on a branch cancels the older unfinished pipelines of that branch.
//   conservative (default): only pipelines where no `interruptible: false` job has started;
//   interruptible: only the jobs marked `interruptible: true`; none: nothing.
// And workflow:auto_cancel:on_job_failure: all: the first failed job (not allowed to fail, not
// retried automatically) cancels the rest of its pipeline.
import type { JobRecord, PipelineRecord } from '../store/store.js';
import { effectiveAllowFailure } from './pipeline-processor.js';
import { cancelPipeline } from './job-actions.js';
import { isCompleted } from './job-status.js';
import type { ServerContext } from './server-context.js';

export type AutoCancelMode = 'conservative' | 'interruptible' | 'none';

const NOT_STARTED: readonly string[] = ['created', 'pending', 'manual', 'scheduled', 'skipped', 'waiting_for_resource', 'preparing'];

export function autoCancelMode(value: string | undefined): AutoCancelMode {
  return value === 'interruptible' || value === 'none' ? value : 'conservative';
}

/** Cancels what `mode` allows in the older pipelines of `newer`'s branch; returns their ids. */
export async function autoCancelRedundant(ctx: ServerContext, newer: PipelineRecord, mode: AutoCancelMode): Promise<number[]> {
  if (mode === 'none' || newer.tag) return [];
  const canceled: number[] = [];
  for (const old of await ctx.store.listPipelines(newer.projectId)) {
    if (old.id >= newer.id || old.ref !== newer.ref || old.tag || isCompleted(old.status)) continue;
    const jobs = (await ctx.store.jobsOfPipeline(old.id)).filter((j) => !j.retried);
    if (mode === 'conservative') {
      const pinned = jobs.some((j: JobRecord) => !j.spec.interruptible && !NOT_STARTED.includes(j.status));
      if (pinned) continue;
      await cancelPipeline(ctx, old.id);
    } else {
      await cancelPipeline(ctx, old.id, (j) => j.spec.interruptible);
    }
    canceled.push(old.id);
    ctx.log.info({ pipelineId: old.id, by: newer.id, mode }, 'redundant pipeline canceled');
  }
  return canceled;
}

/** workflow:auto_cancel:on_job_failure as the pipeline records it (`none` unless `all`). */
export function onJobFailureMode(value: string | undefined): PipelineRecord['autoCancelOnJobFailure'] {
  return value === 'all' ? 'all' : 'none';
}

/** After `job` failed for good: cancels its pipeline when it asked for that; true if it did. */
export async function autoCancelOnJobFailure(ctx: ServerContext, job: JobRecord): Promise<boolean> {
  if (job.status !== 'failed' || effectiveAllowFailure(job)) return false;
  if ((await ctx.store.pipelineById(job.pipelineId))?.autoCancelOnJobFailure !== 'all') return false;
  await cancelPipeline(ctx, job.pipelineId);
  ctx.log.info({ pipelineId: job.pipelineId, jobId: job.id }, 'pipeline canceled after a job failed (auto_cancel:on_job_failure)');
  return true;
}
