// What a runner reports about a job it runs: state (PUT /jobs/:id) and log (PATCH /jobs/:id/trace).
// Results are plain values; http/ turns them into GitLab's status codes and headers.
import { isRunnerState, normaliseFailureReason, type UpdateJobRequest } from '../../protocol/index.js';
import type { JobRecord } from '../store/store.js';
import type { JobStatus } from './job-status.js';
import { processPipelineNow } from './pipeline-processor.js';
import { retryJob } from './job-actions.js';
import { autoCancelOnJobFailure } from './auto-cancel.js';
import type { ServerContext } from './server-context.js';
import { tokenDigest } from './tokens.js';

export type JobAuth =
  | { ok: true; job: JobRecord }
  | { ok: false; status: 403; message: string; jobStatus?: JobStatus };

const EXECUTING: readonly JobStatus[] = ['running', 'canceling'];

/** The job `id` if `token` is its job token and the job is still executing (403 otherwise, never 404). */
export async function authenticateJob(ctx: ServerContext, id: number, token: string | undefined): Promise<JobAuth> {
  if (!token) return { ok: false, status: 403, message: '403 Forbidden - missing job token' };
  const job = await ctx.store.jobByTokenDigest(tokenDigest(token));
  if (!job || job.id !== id) return { ok: false, status: 403, message: '403 Forbidden - invalid job token' };
  if (!EXECUTING.includes(job.status)) {
    return { ok: false, status: 403, message: '403 Forbidden - Job is not processing on runner', jobStatus: job.status };
  }
  return { ok: true, job };
}

export type UpdateResult = { code: 200 | 400; jobStatus: JobStatus; message?: string };

export async function updateJobState(ctx: ServerContext, job: JobRecord, body: UpdateJobRequest): Promise<UpdateResult> {
  const state = body.state;
  if (!isRunnerState(state)) return { code: 400, jobStatus: job.status, message: `400 Bad request - unknown state ${String(state)}` };
  const at = new Date().toISOString();
  if (state === 'running' || state === 'pending') {
    await ctx.store.touchJob(job.id, at);
    return { code: 200, jobStatus: job.status };
  }

  // A job being canceled ends as canceled, whatever the runner saw.
  const status: JobStatus = job.status === 'canceling' ? 'canceled' : state;
  const exitCode = typeof body.exit_code === 'number' ? Math.min(Math.max(body.exit_code, 0), 32767) : null;
  await ctx.store.updateJob(job.id, {
    status,
    finishedAt: at,
    exitCode,
    failureReason: status === 'failed' ? normaliseFailureReason(body.failure_reason) : null,
  });
  const updated = { ...job, status, exitCode, failureReason: status === 'failed' ? normaliseFailureReason(body.failure_reason) : null };
  if (status === 'failed' && (await shouldAutoRetry(ctx, updated))) {
    await retryJob(ctx, updated, null);
  } else if (!(await autoCancelOnJobFailure(ctx, updated))) {
    await processPipelineNow(ctx, job.pipelineId);
  }
  ctx.log.info({ jobId: job.id, status, exitCode }, 'job finished');
  return { code: 200, jobStatus: status };
}

/** retry:max / retry:when / retry:exit_codes (server facts §5.6). */
async function shouldAutoRetry(ctx: ServerContext, job: JobRecord): Promise<boolean> {
  const retry = job.spec.retry;
  if (retry.max <= 0) return false;
  const reason = job.failureReason ?? 'unknown_failure';
  const noRetry = ['ci_quota_exceeded', 'no_matching_runner', 'missing_dependency_failure', 'forward_deployment_failure', 'environment_creation_failure'];
  if (noRetry.includes(reason)) return false;
  if (!retry.when.includes('always') && !retry.when.includes(reason)) return false;
  if (retry.exitCodes.length > 0 && (job.exitCode === null || !retry.exitCodes.includes(job.exitCode))) return false;
  const previous = (await ctx.store.jobsOfPipeline(job.pipelineId)).filter((j) => j.name === job.name && j.retried).length;
  return previous < retry.max;
}

export type TraceResult =
  | { code: 202; size: number; jobStatus: JobStatus }
  | { code: 416; size: number; jobStatus: JobStatus }
  | { code: 400; message: string };

export async function appendJobTrace(ctx: ServerContext, job: JobRecord, start: number | undefined, data: Uint8Array): Promise<TraceResult> {
  if (start === undefined) return { code: 400, message: '400 Missing header Content-Range' };
  // The report time is written with the chunk (one commit per PATCH).
  const r = await ctx.store.appendTrace(job.id, start, data, new Date().toISOString());
  if (r.ok) {
    if (data.byteLength > 0) ctx.events.traceAppended(job.id, start, data);
  }
  return r.ok ? { code: 202, size: r.size, jobStatus: job.status } : { code: 416, size: r.size, jobStatus: job.status };
}
