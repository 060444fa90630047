// `drydock run` as a use case: schedules the selected jobs of a compiled pipeline and runs each
// attempt with the runtime on the given executor, in its own builds directory, with variables in
// GitLab's precedence, artifacts and caches from .drydock/, a log file per job, and live output.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Executor, ExecutorJob } from '../executor/executor.js';
import type { CompileContext } from '../pipeline/compiler/context.js';
import type { JobSpec, Pipeline } from '../pipeline/spec/job-spec.js';
import type { JobResult, JobWorkspace, RunJobOptions } from '../runtime/types.js';
import { teeSink, type LogSink } from '../shared/log-sink.js';
import { ArtifactStore } from './artifact-store.js';
import { leaseBuildSlot } from './build-slots.js';
import { CacheStore } from './cache-store.js';
import { JobLogFile } from './job-log-files.js';
import { LocalWorkspace } from './local-workspace.js';
import { expandJobVariables, resolveJobVariables } from './job-variables.js';
import type { RunReporter } from './output/run-reporter.js';
import { writePipelineRecord } from './pipeline-record.js';
import { jobPredefinedVariables, runnerVariables } from './predefined-job-variables.js';
import { schedulePipeline, type AttemptRequest, type SchedulerResult } from './scheduler.js';
import type { StateDir } from './state-dir.js';
import { summarize } from './summarize.js';
import type { UserVariable } from './user-variables.js';

export type RunJobFn = (job: ExecutorJob, executor: Executor, workspace: JobWorkspace, opts: RunJobOptions) => Promise<JobResult>;

export interface LocalRunOptions {
  /** Top level of the user's git work tree. */
  repoDir: string;
  pipeline: Pipeline;
  context: CompileContext;
  /** The jobs to run (a subset of pipeline.jobs, in pipeline order). */
  jobs: readonly JobSpec[];
  userVariables: readonly UserVariable[];
  /** The runner's `environment` entries (config.toml), below every job variable. */
  runnerEnvironment?: ReadonlyArray<{ key: string; value: string }>;
  executor: Executor;
  runJob: RunJobFn;
  state: StateDir;
  /** Where the per-slot builds directories live. */
  buildsRoot: string;
  concurrency: number;
  playManual: ReadonlySet<string>;
  includeUncommitted: boolean;
  shell: 'bash' | 'sh';
  signal: AbortSignal;
  reporter: RunReporter;
  version: string;
  defaultTimeoutSeconds: number;
}

export interface LocalRunResult {
  pipelineId: number;
  /** success, failed, canceled, skipped or blocked. */
  status: string;
  scheduled: SchedulerResult;
  recordFile: string;
}

export async function runLocalPipeline(o: LocalRunOptions): Promise<LocalRunResult> {
  await o.state.ensure();
  const pipelineId = await o.state.newPipeline();
  const createdAt = new Date();
  const logDir = o.state.pipelineDir(pipelineId);
  const artifacts = new ArtifactStore(o.state, pipelineId);
  const caches = new CacheStore(o.state.cacheDir());
  const contextVar = (key: string): string | undefined => [...o.context.variables].reverse().find((v) => v.key === key)?.value;
  const projectPath = contextVar('CI_PROJECT_PATH') ?? path.basename(o.repoDir);
  let jobCounter = 0;
  const jobsInRun = new Set(o.jobs.map((j) => j.name));

  const runAttempt = async (req: AttemptRequest): Promise<JobResult> => {
    const spec = req.job;
    const jobId = pipelineId * 1000 + ++jobCounter;
    const logPath = o.state.jobLogFile(pipelineId, spec.name);
    if (req.attempt > 1) await rename(logPath, o.state.attemptLogFile(pipelineId, spec.name, req.attempt - 1)).catch(() => undefined);
    const log = new JobLogFile(logPath);
    const sink: LogSink = teeSink(log, { write: (chunk) => o.reporter.jobOutput(spec, chunk) });
    const lease = await leaseBuildSlot(o.buildsRoot, req.slot, o.concurrency);
    const hostProjectDir = path.join(lease.dir, projectPath);
    const hostTmpDir = `${hostProjectDir}.tmp`;
    try {
      await mkdir(hostTmpDir, { recursive: true });
      const runId = `drydock-${process.pid}-${pipelineId}-${jobId}`;
      const paths = o.executor.jobPaths({ runId, spec, projectPath, hostProjectDir, hostTmpDir });
      const timeoutSeconds = spec.timeoutSeconds ?? o.defaultTimeoutSeconds;
      const jobFacts = { jobId, startedAt: new Date(), playedManually: spec.when === 'manual', timeoutSeconds };
      const dotenv = [];
      for (const dep of spec.dependencies) dotenv.push(...((await artifacts.find(dep, jobsInRun.has(dep)))?.meta.dotenv ?? []));
      const variables = expandJobVariables(resolveJobVariables({
        context: o.context.variables,
        jobPredefined: jobPredefinedVariables(spec, { pipelineId, createdAt, ...(o.pipeline.name !== undefined ? { pipelineName: o.pipeline.name } : {}) }, jobFacts),
        yaml: spec.variables,
        dotenv,
        user: o.userVariables,
        runnerEnvironment: o.runnerEnvironment ?? [],
        runner: runnerVariables(spec, { paths, concurrentId: lease.index, executorName: o.executor.name, version: o.version }, jobFacts),
      }));
      const job: ExecutorJob = { runId, spec, projectPath, hostProjectDir, hostTmpDir, variables, shell: o.shell };
      const workspace = new LocalWorkspace({
        spec, repoDir: o.repoDir, hostProjectDir, sha: o.context.sha, refName: o.context.ref,
        includeUncommitted: o.includeUncommitted, variables, artifacts, caches, jobsInRun,
      });
      return await o.runJob(job, o.executor, workspace, { signal: req.signal, sink, defaultTimeoutSeconds: o.defaultTimeoutSeconds });
    } catch (err) {
      // Anything that escapes the runtime is a system failure of this job, reported in its log.
      const message = err instanceof Error ? err.message : String(err);
      sink.write(`\x1b[31;1mERROR: Job failed (system failure): ${message}\x1b[0;m\n`);
      const now = new Date();
      return { status: req.signal.aborted ? 'canceled' : 'failed', failureReason: 'runner_system_failure', allowedToFail: spec.allowFailure === true, timings: [], startedAt: now, finishedAt: now };
    } finally {
      log.close();
      await rm(hostTmpDir, { recursive: true, force: true }).catch(() => undefined);
      await lease.release();
    }
  };

  o.reporter.pipelineStarted({ id: pipelineId, jobs: o.jobs, logDir });
  const scheduled = await schedulePipeline({
    jobs: o.jobs,
    concurrency: o.concurrency,
    playManual: o.playManual,
    signal: o.signal,
    runAttempt,
    onEvent: (e) => {
      switch (e.type) {
        case 'job-started': return o.reporter.jobStarted(e.job, e.attempt);
        case 'job-finished': return o.reporter.jobFinished(e.job, e.attempt, e.result, { willRetry: e.willRetry, logFile: o.state.jobLogFile(pipelineId, e.job.name) });
        case 'job-skipped': return o.reporter.jobSkipped(e.job, e.reason);
        case 'job-manual': return o.reporter.jobManual(e.job);
        case 'job-canceled': return o.reporter.jobCanceled(e.job);
      }
    },
  });
  const finishedAt = new Date();
  const summary = summarize(scheduled, { id: pipelineId, durationMs: finishedAt.getTime() - createdAt.getTime(), logDir });
  const recordFile = await writePipelineRecord(o.state, pipelineId, {
    createdAt, finishedAt, status: summary.status, ref: o.context.ref, sha: o.context.sha, scheduled,
    logFile: (name, attempt, last) => (last ? o.state.jobLogFile(pipelineId, name) : o.state.attemptLogFile(pipelineId, name, attempt)),
  });
  o.reporter.pipelineFinished(summary);
  return { pipelineId, status: summary.status, scheduled, recordFile };
}
