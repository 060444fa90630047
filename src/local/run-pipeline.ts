// `drydock run` as a use case: schedules the selected jobs of a compiled pipeline and runs each
// attempt with the runtime on the given executor, in its own builds directory, with variables in
// GitLab's precedence, artifacts and caches from .drydock/, a log file per job, and live output.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Executor, ExecutorJob } from '../executor/executor.js';
import type { CompileContext } from '../pipeline/compiler/context.js';
import type { JobSpec, Pipeline } from '../pipeline/spec/job-spec.js';
import type { JobResult, JobWorkspace, RunJobOptions, RunnerHooks } from '../runtime/types.js';
import { teeSink, type LogSink } from '../shared/log-sink.js';
import { ArtifactStore } from './artifact-store.js';
import { leaseBuildSlot } from './build-slots.js';
import { CacheStore } from './cache-store.js';
import { JobLogFile } from './job-log-files.js';
import { LocalWorkspace } from './local-workspace.js';
import { expandJobVariables, resolveJobVariables, type VariableLayers } from './job-variables.js';
import type { RunReporter } from './output/run-reporter.js';
import { writePipelineRecord } from './pipeline-record.js';
import { jobPredefinedVariables, runnerVariables } from './predefined-job-variables.js';
import { schedulePipeline, type AttemptRequest, type SchedulerResult } from './scheduler.js';
import type { StateDir } from './state-dir.js';
import { summarize } from './summarize.js';
import { compileChildPipeline, triggerKind, triggerResult, withoutProjectTriggers } from './child-pipeline.js';
import { childReporter } from './output/child-reporter.js';
import { parseExpireIn } from '../runtime/workspace/expire-in.js';
import { customClonePath } from '../runtime/workspace/custom-clone-path.js';
import { lastValue } from '../shared/variable-lookup.js';
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
  /** The runner's pre/post scripts (config.toml). */
  hooks?: RunnerHooks;
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
  /** `when: delayed` jobs wait their start_in (false: `--no-delay`, they run at once). */
  waitDelayed: boolean;
  /** Child-pipeline nesting: 0 for the pipeline the user ran. */
  depth?: number;
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
  const contextVar = (key: string): string | undefined => lastValue(o.context.variables, key);
  const projectPath = contextVar('CI_PROJECT_PATH') ?? path.basename(o.repoDir);
  let jobCounter = 0;
  const jobsInRun = new Set(o.jobs.map((j) => j.name));
  /** Per job: the report artifacts kept and the JUnit line, for the summary table. */
  const reportNotes = new Map<string, { types: string[]; junit?: string }>();

  /** Child pipelines of trigger jobs without `strategy: depend`: they run on beside this one. */
  const children: Array<Promise<unknown>> = [];
  /** Per trigger job: its child pipeline's number and result, for the summary table. */
  const childNotes = new Map<string, string>();

  /** The dotenv reports of the jobs whose artifacts `spec` takes, in dependency order. */
  const dependencyDotenv = async (spec: JobSpec): Promise<VariableLayers['dotenv'][number][]> => {
    const dotenv: Array<VariableLayers['dotenv'][number]> = [];
    for (const dep of spec.dependencies) dotenv.push(...((await artifacts.find(dep, jobsInRun.has(dep)))?.meta.dotenv ?? []));
    return dotenv;
  };

  /** A trigger job: create and run its child pipeline (depth-limited as GitLab: two levels). */
  const runTrigger = async (spec: JobSpec, req: AttemptRequest, sink: LogSink, jobId: number): Promise<JobResult> => {
    const startedAt = new Date();
    const kind = triggerKind(spec.trigger ?? {});
    const fail = (message: string): JobResult => {
      sink.write(`\x1b[31;1mERROR: ${message}\x1b[0;m\n`);
      return { status: 'failed', failureReason: 'unknown_failure', allowedToFail: spec.allowFailure === true, timings: [], startedAt, finishedAt: new Date() };
    };
    if (kind.kind !== 'child') return fail(kind.kind === 'invalid' ? kind.message : 'trigger:project needs a GitLab server');
    if ((o.depth ?? 0) >= 2) return fail('child pipelines can be nested at most two levels deep');
    const withheld = kind.forwardPipeline ? [] : o.userVariables.filter((v) => v.pipeline === true);
    let child;
    try {
      // The trigger job's own CI_JOB_* and CI_PIPELINE_* values take part in expanding what it hands down.
      const own = jobPredefinedVariables(spec, { pipelineId, createdAt, ...(o.pipeline.name !== undefined ? { pipelineName: o.pipeline.name } : {}) },
        { jobId, startedAt, playedManually: spec.when === 'manual', timeoutSeconds: spec.timeoutSeconds ?? o.defaultTimeoutSeconds });
      child = await compileChildPipeline({ trigger: spec, includes: kind.includes, forwardYaml: kind.forwardYaml, withheld, repoDir: o.repoDir, parent: o.context, own, dotenv: await dependencyDotenv(spec), artifacts, signal: req.signal });
    } catch (err) {
      return fail(`downstream pipeline creation failed: ${(err as Error).message}`);
    }
    const reporter = childReporter(o.reporter, spec, (id) => sink.write(`Created child pipeline #${id} (${child.pipeline.jobs.length} job(s)) from ${kind.includes.map((x) => ('local' in x ? x.local : x.artifact)).join(', ')}\n`));
    const jobs = withoutProjectTriggers(child.pipeline.jobs, (t) => reporter.notice(t));
    const userVariables = o.userVariables.filter((v) => !withheld.includes(v));
    const run = runLocalPipeline({ ...o, pipeline: child.pipeline, context: child.context, jobs, userVariables, reporter, signal: req.signal, depth: (o.depth ?? 0) + 1 });
    void run.then((r) => childNotes.set(spec.name, `child pipeline #${r.pipelineId} ${r.status === 'success' ? 'passed' : r.status}`), () => undefined);
    if (!kind.depend) {
      children.push(run.catch(() => undefined));
      return triggerResult(spec, undefined, false, startedAt, sink);
    }
    const r = await run;
    sink.write(`Child pipeline #${r.pipelineId}: ${r.status}\n`);
    return triggerResult(spec, r.status, true, startedAt, sink);
  };

  const runAttempt = async (req: AttemptRequest): Promise<JobResult> => {
    const spec = req.job;
    const jobId = pipelineId * 1000 + ++jobCounter;
    const logPath = o.state.jobLogFile(pipelineId, spec.name);
    if (req.attempt > 1) await rename(logPath, o.state.attemptLogFile(pipelineId, spec.name, req.attempt - 1)).catch(() => undefined);
    const log = new JobLogFile(logPath);
    const sink: LogSink = teeSink(log, { write: (chunk) => o.reporter.jobOutput(spec, chunk) });
    if (spec.trigger !== undefined) {
      try {
        return await runTrigger(spec, req, sink, jobId);
      } finally {
        log.close();
      }
    }
    const lease = await leaseBuildSlot(o.buildsRoot, req.slot, o.concurrency);
    let jobProjectPath = projectPath;
    let hostProjectDir = path.join(lease.dir, jobProjectPath);
    let hostTmpDir = `${hostProjectDir}.tmp`;
    try {
      const runId = `drydock-${process.pid}-${pipelineId}-${jobId}`;
      const timeoutSeconds = spec.timeoutSeconds ?? o.defaultTimeoutSeconds;
      const jobFacts = { jobId, startedAt: new Date(), playedManually: spec.when === 'manual', timeoutSeconds };
      const dotenv = await dependencyDotenv(spec);
      const located = () => {
        const paths = o.executor.jobPaths({ runId, spec, projectPath: jobProjectPath, hostProjectDir, hostTmpDir });
        return {
          paths, variables: expandJobVariables(resolveJobVariables({
            context: o.context.variables,
            jobPredefined: jobPredefinedVariables(spec, { pipelineId, createdAt, ...(o.pipeline.name !== undefined ? { pipelineName: o.pipeline.name } : {}) }, jobFacts),
            yaml: spec.variables,
            dotenv,
            user: o.userVariables,
            runnerEnvironment: o.runnerEnvironment ?? [],
            runner: runnerVariables(spec, { paths, concurrentId: lease.index, executorName: o.executor.name, version: o.version }, jobFacts),
          })),
        };
      };
      let { paths, variables } = located();
      // GIT_CLONE_PATH moves the checkout inside the builds dir; a local run allows it for every
      // executor (custom_build_dir guards shared runners, not the user's own machine).
      const clone = customClonePath({ value: lastValue(variables, 'GIT_CLONE_PATH'), buildsDir: paths.buildsDir, enabled: true });
      if (clone.kind === 'error') {
        sink.write(`\x1b[31;1mERROR: ${clone.message}\x1b[0;m\n`);
        const now = new Date();
        return { status: 'failed', failureReason: clone.failureReason, allowedToFail: spec.allowFailure === true, timings: [], startedAt: now, finishedAt: now };
      }
      if (clone.kind === 'custom') {
        jobProjectPath = clone.relative;
        hostProjectDir = path.join(lease.dir, jobProjectPath);
        hostTmpDir = `${hostProjectDir}.tmp`;
        ({ paths, variables } = located());
      }
      await mkdir(hostTmpDir, { recursive: true });
      const job: ExecutorJob = { runId, spec, projectPath: jobProjectPath, hostProjectDir, hostTmpDir, variables, shell: o.shell };
      const workspace = new LocalWorkspace({
        spec, repoDir: o.repoDir, hostProjectDir, sha: o.context.sha, refName: o.context.ref,
        includeUncommitted: o.includeUncommitted, variables, artifacts, caches, jobsInRun,
        onReports: (types) => reportNotes.set(spec.name, { types }),
        onJunit: (line) => { const n = reportNotes.get(spec.name); if (n !== undefined) n.junit = line; },
      });
      return await o.runJob(job, o.executor, workspace, { signal: req.signal, sink, defaultTimeoutSeconds: o.defaultTimeoutSeconds, ...(o.hooks ? { hooks: o.hooks } : {}) });
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
    delayMs: (job) => (o.waitDelayed ? startInMs(job) : 0),
    onEvent: (e) => {
      switch (e.type) {
        case 'job-started':
          if (e.job.when === 'delayed' && !o.waitDelayed && e.attempt === 1) o.reporter.notice(`${e.job.name}: start_in ${e.job.startIn ?? ''} not waited for (--no-delay)`);
          return o.reporter.jobStarted(e.job, e.attempt);
        case 'job-scheduled': return o.reporter.jobScheduled(e.job, e.startAt);
        case 'job-finished': return o.reporter.jobFinished(e.job, e.attempt, e.result, { willRetry: e.willRetry, logFile: o.state.jobLogFile(pipelineId, e.job.name) });
        case 'job-skipped': return o.reporter.jobSkipped(e.job, e.reason);
        case 'job-manual': return o.reporter.jobManual(e.job);
        case 'job-canceled': return o.reporter.jobCanceled(e.job);
      }
    },
  });
  // The parent's status ignores children without strategy: depend, but the run waits for them.
  await Promise.all(children);
  const finishedAt = new Date();
  const summary = summarize(scheduled, { id: pipelineId, durationMs: finishedAt.getTime() - createdAt.getTime(), logDir }, (name) => {
    const child = childNotes.get(name);
    if (child !== undefined) return child;
    const n = reportNotes.get(name);
    if (n === undefined || n.types.length === 0) return undefined;
    return `reports: ${n.types.join(', ')}${n.junit !== undefined ? ` (junit: ${n.junit})` : ''}`;
  });
  const recordFile = await writePipelineRecord(o.state, pipelineId, {
    createdAt, finishedAt, status: summary.status, ref: o.context.ref, sha: o.context.sha, scheduled,
    logFile: (name, attempt, last) => (last ? o.state.jobLogFile(pipelineId, name) : o.state.attemptLogFile(pipelineId, name, attempt)),
  });
  o.reporter.pipelineFinished(summary);
  return { pipelineId, status: summary.status, scheduled, recordFile };
}

/** `start_in` text → milliseconds (the compiler has validated it; anything unreadable runs at once). */
function startInMs(job: JobSpec): number {
  const ms = job.startIn !== undefined ? parseExpireIn(job.startIn) : 0;
  return typeof ms === 'number' ? ms : 0;
}
