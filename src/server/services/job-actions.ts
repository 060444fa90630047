// What people do to jobs and pipelines: cancel, retry, play (server facts §5.2, §5.6).
import type { JobRecord, RunnerRecord } from '../store/store.js';
import { dependingTriggerOf } from './depend-trigger.js';
import { CANCELABLE_STATUSES, isCompleted } from './job-status.js';
import { enqueueDelayedJob, processPipelineNow } from './pipeline-processor.js';
import type { ServerContext } from './server-context.js';

export type ActionResult = { ok: true; job: JobRecord } | { ok: false; status: 400 | 403; message: string };

/** Not yet running → canceled; running → canceling when its runner cancels gracefully, else canceled. */
export async function cancelJob(ctx: ServerContext, job: JobRecord): Promise<ActionResult> {
  if (!CANCELABLE_STATUSES.includes(job.status)) return { ok: true, job };
  await cancelOne(ctx, job);
  await processPipelineNow(ctx, job.pipelineId);
  return { ok: true, job: (await ctx.store.jobById(job.id)) ?? job };
}

async function cancelOne(ctx: ServerContext, job: JobRecord): Promise<void> {
  const at = new Date().toISOString();
  if (job.status === 'running' && job.runnerId !== null && (await gracefulRunner(ctx, job.runnerId))) {
    await ctx.store.updateJob(job.id, { status: 'canceling' });
    return;
  }
  if (job.status === 'canceling') return;
  if (job.status === 'scheduled') ctx.timers.disarm(`job:${job.id}`);
  await ctx.store.updateJob(job.id, { status: 'canceled', finishedAt: at });
  // Canceling a trigger job cancels the child pipeline it created, as on GitLab.
  if (job.spec.trigger !== undefined && job.status === 'running') {
    const child = await ctx.store.childPipelineOf(job.id);
    if (child && !isCompleted(child.status)) await cancelPipeline(ctx, child.id);
  }
}

async function gracefulRunner(ctx: ServerContext, runnerId: number): Promise<boolean> {
  // The runner announced `cancel_gracefully` in the info it sent with its job requests.
  const runner: RunnerRecord | undefined = await ctx.store.runnerById(runnerId);
  const features = runner?.info.features;
  return typeof features === 'object' && features !== null && (features as Record<string, unknown>).cancel_gracefully === true;
}

/** A completed job gets a fresh copy (new id, same name) that is processed like a new job. */
export async function retryJob(ctx: ServerContext, job: JobRecord, userId: number | null): Promise<ActionResult> {
  if (!isCompleted(job.status) || job.retried) return { ok: false, status: 403, message: '403 Forbidden - Job is not retryable' };
  const clone = await ctx.store.cloneJobForRetry(job, userId);
  // A manual or delayed job that already ran is retried to run now (GitLab's enqueue_immediately),
  // not to wait for another play or timer.
  if ((job.spec.when === 'manual' || job.spec.when === 'delayed') && job.status !== 'skipped') {
    const status = job.spec.resourceGroup !== undefined ? 'waiting_for_resource' : 'pending';
    await ctx.store.updateJob(clone.id, { status, queuedAt: new Date().toISOString() });
    if (status === 'pending') ctx.queue.tick();
  }
  await resetSkippedAfter(ctx, job.pipelineId, job.stageIndex);
  await reopenDependentTrigger(ctx, job.pipelineId);
  await processPipelineNow(ctx, job.pipelineId);
  return { ok: true, job: (await ctx.store.jobById(clone.id)) ?? clone };
}

/**
 * A manual job starts (its predecessors already allowed it to become manual); a delayed job
 * (`scheduled`) starts now instead of at scheduled_at. With a resource_group it waits for it.
 */
export async function playJob(ctx: ServerContext, job: JobRecord, userId: number | null): Promise<ActionResult> {
  void userId;
  if (job.status === 'scheduled' && !job.retried) {
    await enqueueDelayedJob(ctx, job.id);
    return { ok: true, job: (await ctx.store.jobById(job.id)) ?? job };
  }
  if (job.status !== 'manual' || job.retried) return { ok: false, status: 400, message: '400 Bad request - Unplayable Job' };
  const status = job.spec.resourceGroup !== undefined ? 'waiting_for_resource' : 'pending';
  await ctx.store.updateJob(job.id, { status, queuedAt: new Date().toISOString() });
  if (status === 'pending') ctx.queue.tick();
  await processPipelineNow(ctx, job.pipelineId);
  return { ok: true, job: (await ctx.store.jobById(job.id)) ?? job };
}

/** GitLab's "unschedule": a delayed job stops its timer and becomes a manual action. */
export async function unscheduleJob(ctx: ServerContext, job: JobRecord): Promise<ActionResult> {
  if (job.status !== 'scheduled' || job.retried) return { ok: false, status: 400, message: '400 Bad request - Job is not scheduled' };
  ctx.timers.disarm(`job:${job.id}`);
  await ctx.store.updateJob(job.id, { status: 'manual', scheduledAt: null });
  await processPipelineNow(ctx, job.pipelineId);
  return { ok: true, job: (await ctx.store.jobById(job.id)) ?? job };
}

export async function cancelPipeline(ctx: ServerContext, pipelineId: number, which: (job: JobRecord) => boolean = () => true): Promise<void> {
  for (const job of await ctx.store.jobsOfPipeline(pipelineId)) {
    if (!job.retried && CANCELABLE_STATUSES.includes(job.status) && which(job)) await cancelOne(ctx, job);
  }
  await processPipelineNow(ctx, pipelineId);
}

/** Retries every failed or canceled job and lets skipped jobs after them run again. */
export async function retryPipeline(ctx: ServerContext, pipelineId: number, userId: number | null): Promise<void> {
  const jobs = (await ctx.store.jobsOfPipeline(pipelineId)).filter((j) => !j.retried);
  const toRetry = jobs.filter((j) => j.status === 'failed' || j.status === 'canceled');
  for (const job of toRetry) await ctx.store.cloneJobForRetry(job, userId);
  if (toRetry.length > 0) {
    await resetSkippedAfter(ctx, pipelineId, Math.min(...toRetry.map((j) => j.stageIndex)));
    await reopenDependentTrigger(ctx, pipelineId);
  }
  await processPipelineNow(ctx, pipelineId);
}

/**
 * A job or pipeline retried downstream of a finished `strategy: depend` trigger job reopens that
 * trigger job, as GitLab does: it waits again and takes the downstream pipeline's new result, and
 * the upstream jobs it had skipped may run again. Climbs while the upstream is itself downstream.
 */
async function reopenDependentTrigger(ctx: ServerContext, pipelineId: number): Promise<void> {
  const pipeline = await ctx.store.pipelineById(pipelineId);
  const bridge = pipeline ? await dependingTriggerOf(ctx, pipeline) : undefined;
  if (!bridge || !isCompleted(bridge.status)) return;
  await ctx.store.updateJob(bridge.id, { status: 'running', failureReason: null, finishedAt: null });
  await resetSkippedAfter(ctx, bridge.pipelineId, bridge.stageIndex);
  await reopenDependentTrigger(ctx, bridge.pipelineId);
  await processPipelineNow(ctx, bridge.pipelineId);
}

async function resetSkippedAfter(ctx: ServerContext, pipelineId: number, stageIndex: number): Promise<void> {
  for (const j of await ctx.store.jobsOfPipeline(pipelineId)) {
    if (!j.retried && j.status === 'skipped' && j.stageIndex >= stageIndex) {
      await ctx.store.updateJob(j.id, { status: 'created', finishedAt: null });
    }
  }
}
