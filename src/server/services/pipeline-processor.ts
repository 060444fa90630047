// Applies processPipeline to a stored pipeline: enqueue/skip jobs, roll up the pipeline status,
// wake waiting runners. One pipeline is processed at a time (per-pipeline lock).
import type { JobRecord } from '../store/store.js';
import { isCompleted } from './job-status.js';
import { processPipeline, type ProcessableJob } from './process-pipeline.js';
import type { ServerContext } from './server-context.js';

export function processPipelineNow(ctx: ServerContext, pipelineId: number): Promise<void> {
  return ctx.locks.run(`pipeline:${pipelineId}`, () => processLocked(ctx, pipelineId));
}

async function processLocked(ctx: ServerContext, pipelineId: number): Promise<void> {
  const pipeline = await ctx.store.pipelineById(pipelineId);
  if (!pipeline || pipeline.yamlErrors !== null) return;
  const jobs = (await ctx.store.jobsOfPipeline(pipelineId)).filter((j) => !j.retried);
  const result = processPipeline(jobs.map(processable));
  const at = new Date().toISOString();
  let enqueued = false;
  for (const change of result.changes) {
    await ctx.store.updateJob(change.id, {
      status: change.status,
      ...(change.status === 'pending' && { queuedAt: at }),
      ...(change.status === 'skipped' && { finishedAt: at }),
    });
    if (change.status === 'pending') enqueued = true;
  }
  const status = result.pipelineStatus ?? 'skipped';
  if (status !== pipeline.status) {
    const done = isCompleted(status);
    await ctx.store.updatePipeline(pipelineId, {
      status,
      ...(pipeline.startedAt === null && (status === 'running' || done) && { startedAt: at }),
      finishedAt: done ? at : null,
    });
  }
  if (enqueued) ctx.queue.tick();
}

/** A stored job as the state machine sees it; allow_failure:exit_codes resolved against its exit code. */
export function processable(j: JobRecord): ProcessableJob {
  return {
    id: j.id,
    name: j.name,
    stageIndex: j.stageIndex,
    status: j.status,
    when: j.spec.when,
    allowFailure: effectiveAllowFailure(j),
    needs: j.spec.needs ? j.spec.needs.map((n) => n.job) : null,
  };
}

export function effectiveAllowFailure(j: JobRecord): boolean {
  const af = j.spec.allowFailure;
  if (typeof af === 'boolean') return af;
  return j.exitCode !== null && af.exitCodes.includes(j.exitCode);
}
