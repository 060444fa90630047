// Which pending job a runner gets (server facts §1.5): oldest first among those whose tags the
// runner has; untagged jobs only for run_untagged runners; ref_protected runners only protected refs.
import { jobPayloadFromSpec, type JobPayload } from '../../protocol/index.js';
import type { JobRecord, PipelineRecord, ProjectRecord, RunnerRecord } from '../store/store.js';
import { buildPayloadExtras } from './job-payload-extras.js';
import { isProtectedRef } from './create-pipeline.js';
import { processPipelineNow } from './pipeline-processor.js';
import type { ServerContext } from './server-context.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from './tokens.js';

export function runnerCanRun(runner: RunnerRecord, job: JobRecord, protectedRef: boolean): boolean {
  if (runner.paused) return false;
  if (runner.runnerType === 'project_type' && runner.projectId !== job.projectId) return false;
  if (runner.accessLevel === 'ref_protected' && !protectedRef) return false;
  const tags = job.spec.tags;
  if (tags.length === 0) return runner.runUntagged;
  return tags.every((t) => runner.tags.includes(t));
}

export async function requestJob(ctx: ServerContext, runner: RunnerRecord, signal: AbortSignal): Promise<JobPayload | undefined> {
  // One pick at a time in this process: the long polls a queue tick wakes would otherwise all race
  // for the same oldest jobs (runners × jobs failed assignments). assignJob stays the guard between
  // server processes sharing one database.
  const picked = await ctx.locks.run('job-queue', () => pickJob(ctx, runner));
  if (!picked) return undefined;
  const { job, project, pipeline, token, startedAt } = picked;
  let extras;
  try {
    extras = await buildPayloadExtras(ctx, { project, pipeline, job, runner, token, startedAt }, signal);
  } catch (err) {
    // The runner never saw this job: give it back to the queue.
    await ctx.store.updateJob(job.id, { status: 'pending', runnerId: null, startedAt: null });
    ctx.queue.tick();
    ctx.events.pipelineChanged(pipeline.id);
    throw err;
  }
  // pending → running cannot change a running pipeline's status nor unblock another job, so such a
  // pipeline is not reprocessed; live views still hear of the job's new status.
  if (pipeline.status !== 'running') await processPipelineNow(ctx, pipeline.id);
  else ctx.events.pipelineChanged(pipeline.id);
  ctx.log.info({ jobId: job.id, runnerId: runner.id, project: project.fullPath }, 'job assigned');
  return jobPayloadFromSpec(job.spec, extras);
}

interface Picked {
  job: JobRecord;
  project: ProjectRecord;
  pipeline: PipelineRecord;
  token: string;
  startedAt: string;
}

async function pickJob(ctx: ServerContext, runner: RunnerRecord): Promise<Picked | undefined> {
  const projects = new Map<number, ProjectRecord | undefined>();
  const pipelines = new Map<number, PipelineRecord | undefined>();
  for (const job of await ctx.store.pendingJobs()) {
    if (!projects.has(job.projectId)) projects.set(job.projectId, await ctx.store.projectById(job.projectId));
    if (!pipelines.has(job.pipelineId)) pipelines.set(job.pipelineId, await ctx.store.pipelineById(job.pipelineId));
    const project = projects.get(job.projectId);
    const pipeline = pipelines.get(job.pipelineId);
    if (!project || !pipeline) continue;
    if (!runnerCanRun(runner, job, isProtectedRef(project, pipeline.ref, pipeline.tag ? 'tag' : 'branch'))) continue;
    const token = newToken(`${TOKEN_PREFIX.job}${pipeline.id.toString(16)}_`);
    const startedAt = new Date().toISOString();
    // Another server process may have taken it meanwhile: then try the next one.
    if (await ctx.store.assignJob(job.id, runner.id, tokenDigest(token), startedAt)) return { job, project, pipeline, token, startedAt };
  }
  return undefined;
}
