// Applies processPipeline to a stored pipeline: enqueue/skip/schedule jobs, roll up the pipeline
// status, wake waiting runners and live streams. One pipeline is processed at a time (per-pipeline
// lock); resource groups are assigned afterwards, outside that lock.
import { parseDuration } from '../../shared/duration.js';
import type { JobRecord, PipelineRecord } from '../store/store.js';
import { isCompleted } from './job-status.js';
import { processPipeline, type ProcessableJob } from './process-pipeline.js';
import { assignResources } from './resource-groups.js';
import type { ServerContext } from './server-context.js';

export async function processPipelineNow(ctx: ServerContext, pipelineId: number): Promise<void> {
  const outcome = await ctx.locks.run(`pipeline:${pipelineId}`, () => processLocked(ctx, pipelineId));
  ctx.events.pipelineChanged(pipelineId);
  if (!outcome) return;
  // Trigger jobs start their child pipelines, and a finished child hands its status to its
  // `strategy: depend` trigger job, outside this pipeline's lock (the child has its own).
  const again = new Set<number>();
  for (const bridgeId of outcome.bridges) {
    const parent = await ctx.downstream.start(bridgeId);
    if (parent !== undefined) again.add(parent);
  }
  if (outcome.finished) {
    const parent = await ctx.downstream.finished(outcome.finished);
    if (parent !== undefined) again.add(parent);
  }
  for (const id of again) await processPipelineNow(ctx, id);
  // A job of this pipeline may have taken or freed a resource: hand free ones on, then roll up the
  // pipelines whose jobs got them (each of those assigns again and finds nothing left to do).
  for (const other of await assignResources(ctx, outcome.projectId, outcome.resourceKeys)) {
    await processPipelineNow(ctx, other);
  }
}

interface ProcessOutcome {
  projectId: number;
  resourceKeys: Set<string>;
  /** Trigger jobs set running in this step: their child pipelines are to be created. */
  bridges: number[];
  /** This pipeline, when this step completed it. */
  finished?: PipelineRecord;
}

async function processLocked(ctx: ServerContext, pipelineId: number): Promise<ProcessOutcome | undefined> {
  const pipeline = await ctx.store.pipelineById(pipelineId);
  if (!pipeline || pipeline.yamlErrors !== null) return undefined;
  const jobs = (await ctx.store.jobsOfPipeline(pipelineId)).filter((j) => !j.retried);
  const result = processPipeline(jobs.map(processable));
  const now = Date.now();
  const at = new Date(now).toISOString();
  let enqueued = false;
  const bridges: number[] = [];
  const delayed: Array<{ id: number; scheduledAt: string }> = [];
  const updates = result.changes.map((change) => {
    const job = jobs.find((j) => j.id === change.id);
    if (change.status === 'pending' && job?.spec.trigger !== undefined) {
      // A trigger job (bridge) never goes to a runner: it runs while its child pipeline is created.
      bridges.push(change.id);
      return { id: change.id, change: { status: 'running' as const, queuedAt: at, startedAt: at } };
    }
    const scheduledAt = change.status === 'scheduled' && job ? new Date(now + startInMs(job)).toISOString() : undefined;
    if (scheduledAt !== undefined) delayed.push({ id: change.id, scheduledAt });
    if (change.status === 'pending') enqueued = true;
    return {
      id: change.id,
      change: {
        status: change.status,
        ...(change.status === 'pending' && { queuedAt: at }),
        ...(change.status === 'skipped' && { finishedAt: at }),
        ...(scheduledAt !== undefined && { scheduledAt }),
      },
    };
  });
  // One transaction for the whole step (a stage of 100 jobs is one disk flush, not 100).
  await ctx.store.updateJobs(updates);
  for (const d of delayed) armDelayedJob(ctx, d.id, d.scheduledAt);
  const status = result.pipelineStatus ?? 'skipped';
  let finished: PipelineRecord | undefined;
  if (status !== pipeline.status) {
    const done = isCompleted(status);
    await ctx.store.updatePipeline(pipelineId, {
      status,
      ...(pipeline.startedAt === null && (status === 'running' || done) && { startedAt: at }),
      finishedAt: done ? at : null,
    });
    if (done && pipeline.parentJobId !== null) finished = { ...pipeline, status, finishedAt: at };
  }
  if (enqueued) ctx.queue.tick();
  const resourceKeys = new Set(jobs.flatMap((j) => (j.spec.resourceGroup !== undefined ? [j.spec.resourceGroup] : [])));
  return { projectId: pipeline.projectId, resourceKeys, bridges, ...(finished && { finished }) };
}

function startInMs(job: JobRecord): number {
  return (parseDuration(job.spec.startIn ?? '') ?? 0) * 1000;
}

/** Wakes the delayed job at `scheduledAt` (a restart re-arms through resumeDelayedJobs). */
export function armDelayedJob(ctx: ServerContext, jobId: number, scheduledAt: string): void {
  ctx.timers.arm(`job:${jobId}`, Date.parse(scheduledAt), () => {
    enqueueDelayedJob(ctx, jobId).catch((err: unknown) => ctx.log.error({ err, jobId }, 'starting a delayed job failed'));
  });
}

/** A scheduled job whose time came (or that someone played): it is queued now. False if it was not scheduled. */
export async function enqueueDelayedJob(ctx: ServerContext, jobId: number): Promise<boolean> {
  ctx.timers.disarm(`job:${jobId}`);
  const job = await ctx.store.jobById(jobId);
  if (!job || job.status !== 'scheduled' || job.retried) return false;
  const status = job.spec.resourceGroup !== undefined ? 'waiting_for_resource' : 'pending';
  await ctx.store.updateJob(jobId, { status, queuedAt: new Date().toISOString() });
  if (status === 'pending') ctx.queue.tick();
  await processPipelineNow(ctx, job.pipelineId);
  return true;
}

/** Start-up sweep: re-arms every scheduled job (those already due start at once); returns their ids. */
export async function resumeDelayedJobs(ctx: ServerContext): Promise<number[]> {
  const ids: number[] = [];
  for (const job of await ctx.store.jobsWithStatus(['scheduled'])) {
    if (job.retried) continue;
    armDelayedJob(ctx, job.id, job.scheduledAt ?? new Date().toISOString());
    ids.push(job.id);
  }
  return ids;
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
    usesResource: j.spec.resourceGroup !== undefined,
  };
}

export function effectiveAllowFailure(j: JobRecord): boolean {
  const af = j.spec.allowFailure;
  if (typeof af === 'boolean') return af;
  return j.exitCode !== null && af.exitCodes.includes(j.exitCode);
}
