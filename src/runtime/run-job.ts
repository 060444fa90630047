// Runs one job on one executor in GitLab's stage order (gitlab-runner common/build.go):
//
//   prepare_executor → prepare_script → get_sources → restore_cache → download_artifacts
//   → step_script (before_script + script, one shell) → after_script (own shell, own timeout)
//   → archive_cache[_on_failure] → upload_artifacts_on_{success,failure} → cleanup (always)
//
// Signals, as in gitlab-runner:
// - the job timeout covers everything but cleanup; when it fires, nothing else runs
//   (no after_script, no cache or artifact upload) and the job fails with job_execution_timeout;
// - a cancel before step_script stops the job at once; a cancel during step_script stops only the
//   script: after_script (CI_JOB_STATUS=canceled) and the on_failure uploads still run, bounded by
//   their own timeouts; the job ends `canceled` either way;
// - RUNNER_SCRIPT_TIMEOUT bounds step_script only (after_script sees CI_JOB_STATUS=timedout);
// - cleanup runs under a fresh bounded signal, whatever happened.
import type { BuildStage, Executor, JobPaths, StageResult } from '../executor/executor.js';
import { generatePrepareScript, generateScript } from '../executor/script/generate-script.js';
import { stageDescription } from '../executor/script/stage-description.js';
import { cleanupSignal, JobTimeoutError } from '../shared/abort.js';
import { formatGoDuration } from './go-duration.js';
import { JobLog } from './job-log.js';
import { cancelFailure, classifyError, type Failure, isAllowedToFail, ScriptExitError, timeoutFailure } from './job-outcome.js';
import { type CiJobStatus, durationVariable, maskedValues, stageVariables } from './job-variables.js';
import { maskingSink } from './mask-sink.js';
import type { ExecutorJob, JobResult, JobWorkspace, RunJobOptions } from './types.js';

const DEFAULT_JOB_TIMEOUT_S = 3600;
const DEFAULT_AFTER_SCRIPT_TIMEOUT_S = 300;
/** How long to wait for a stage to return after its signal fired before giving up on it. */
const ABORT_GRACE_MS = 60_000;

export async function runJob(job: ExecutorJob, executor: Executor, workspace: JobWorkspace, opts: RunJobOptions): Promise<JobResult> {
  const startedAt = new Date();
  const sink = maskingSink(opts.sink, maskedValues(job));
  const log = new JobLog(sink);
  const timings: JobResult['timings'] = [];
  const timeoutSeconds = job.spec.timeoutSeconds ?? opts.defaultTimeoutSeconds ?? DEFAULT_JOB_TIMEOUT_S;
  const jobDeadline = deadline(timeoutSeconds * 1000);
  const cancel = opts.signal;
  const beforeScript = AbortSignal.any([cancel, jobDeadline.signal]);
  const timedOut = (): Failure => timeoutFailure(`execution took longer than ${formatGoDuration(timeoutSeconds * 1000)} seconds`);
  /** What a fired signal means, else what the error means. */
  const failureOf = (err: unknown): Failure => (jobDeadline.signal.aborted ? timedOut() : cancel.aborted ? cancelFailure() : classifyError(err));

  const stage = async (name: string, description: string | undefined, work: () => Promise<void>): Promise<unknown> => {
    if (description !== undefined) log.sectionStart(name, description);
    const t0 = performance.now();
    try {
      await work();
      return undefined;
    } catch (err) {
      return err ?? new Error(`${name} failed`);
    } finally {
      timings.push({ stage: name, ms: Math.round(performance.now() - t0) });
      if (description !== undefined) log.sectionEnd(name);
    }
  };
  const runScript = async (buildStage: BuildStage, script: string, signal: AbortSignal): Promise<StageResult> => {
    const result = await settle(executor.run(job, { stage: buildStage, script }, sink, signal), signal);
    if (result.exitCode !== 0) throw new ScriptExitError(result.exitCode);
    return result;
  };

  log.line(`Running with drydock ${await drydockVersion()}`);
  let failure: Failure | undefined;
  let exitCode: number | undefined;
  let scriptStarted = false;
  let paths: JobPaths | undefined;

  const prepareErr = await stage('prepare_executor', stageDescription('prepare_executor', executor.name), async () => {
    paths = executor.jobPaths(job);
    await settle(executor.prepare(job, sink, beforeScript), beforeScript);
  });
  if (prepareErr !== undefined || beforeScript.aborted) failure = failureOf(prepareErr);
  if (!failure && paths) {
    const jobPaths = paths;
    const err = await stage('prepare_script', stageDescription('prepare_script'), async () => {
      await runScript('prepare_script', generatePrepareScript({ shell: job.shell, paths: jobPaths }), beforeScript);
    });
    if (err !== undefined || beforeScript.aborted) {
      const f = failureOf(err);
      // A shell that can't even start (profile files, missing shell) is the environment's fault.
      failure = f.failureReason === 'script_failure' ? { ...f, failureReason: 'runner_system_failure', system: true, message: `prepare environment: ${f.message}` } : f;
    }
  }
  const prepared = !failure;
  const hooks = opts.hooks ?? {};
  /** A get_sources hook: the job's shell, its variables, in `workingDir`. */
  const hookScript = (commands: string[], workingDir: string | undefined): string => generateScript({
    shell: job.shell, stage: 'get_sources', paths: paths!, traceSections: false, commands,
    variables: stageVariables(job, paths!, timeoutSeconds, 'running'), ...(workingDir ? { workingDir } : {}),
  });
  const getSources = async (): Promise<void> => {
    const pre = [...present(hooks.preGetSourcesScript), ...job.spec.hooks.preGetSourcesScript];
    if (pre.length > 0) await runScript('get_sources', hookScript(pre, paths!.buildsDir), beforeScript);
    await workspace.getSources(sink, beforeScript);
    const post = present(hooks.postGetSourcesScript);
    if (post.length > 0) await runScript('get_sources', hookScript(post, undefined), beforeScript);
  };
  const hostStages: Array<[BuildStage, boolean, () => Promise<void>]> = [
    ['get_sources', true, getSources],
    ['restore_cache', job.spec.cache.length > 0, () => workspace.restoreCache(sink, beforeScript)],
    ['download_artifacts', job.spec.dependencies.length > 0, () => workspace.downloadArtifacts(sink, beforeScript)],
  ];
  for (const [name, needed, work] of hostStages) {
    if (failure || !needed) continue;
    const err = await stage(name, stageDescription(name), () => settle(work(), beforeScript));
    if (err !== undefined || beforeScript.aborted) failure = failureOf(err);
  }

  if (!failure && paths) {
    const jobPaths = paths;
    scriptStarted = true;
    const scriptLimitMs = durationVariable(job, 'RUNNER_SCRIPT_TIMEOUT');
    const scriptDeadline = deadline(scriptLimitMs);
    const scriptSignal = AbortSignal.any([cancel, jobDeadline.signal, scriptDeadline.signal]);
    const script = generateScript({
      shell: job.shell, stage: 'step_script', paths: jobPaths, traceSections: false,
      commands: [...present(hooks.preBuildScript), ...job.spec.beforeScript, ...job.spec.script, ...present(hooks.postBuildScript)],
      variables: stageVariables(job, jobPaths, timeoutSeconds, 'running'),
    });
    const err = await stage('step_script', stageDescription('step_script'), async () => {
      try {
        exitCode = (await runScript('step_script', script, scriptSignal)).exitCode;
      } catch (e) {
        if (e instanceof ScriptExitError) exitCode = e.exitCode;
        throw e;
      }
    });
    scriptDeadline.clear();
    const scriptTimedOut = scriptDeadline.signal.aborted && !jobDeadline.signal.aborted && !cancel.aborted;
    if (scriptTimedOut) failure = timeoutFailure(`execution took longer than ${formatGoDuration(scriptLimitMs ?? 0)} seconds`);
    else if (err !== undefined || cancel.aborted) failure = failureOf(err);

    const afterScript = async (status: CiJobStatus): Promise<void> => {
      const limitMs = durationVariable(job, 'RUNNER_AFTER_SCRIPT_TIMEOUT') ?? (opts.afterScriptTimeoutSeconds ?? DEFAULT_AFTER_SCRIPT_TIMEOUT_S) * 1000;
      const afterDeadline = deadline(limitMs);
      const signal = AbortSignal.any([jobDeadline.signal, afterDeadline.signal]);
      const afterScriptText = generateScript({
        shell: job.shell, stage: 'after_script', paths: jobPaths, traceSections: false,
        commands: job.spec.afterScript, variables: stageVariables(job, jobPaths, timeoutSeconds, status),
      });
      const afterErr = await stage('after_script', stageDescription('after_script'), async () => {
        await runScript('after_script', afterScriptText, signal);
      });
      afterDeadline.clear();
      if (jobDeadline.signal.aborted) return;
      if (afterDeadline.signal.aborted) {
        log.warning('after_script could not run to completion because the timeout was exceeded. For more control over job and script timeouts see: https://docs.gitlab.com/ci/runners/configure_runners/#set-script-and-after_script-timeouts');
      } else if (afterErr !== undefined) {
        log.warning(`after_script failed, but job will continue unaffected: ${afterErr instanceof Error ? afterErr.message : String(afterErr)}`);
      }
    };

    if (!jobDeadline.signal.aborted && job.spec.afterScript.length > 0) {
      const status: CiJobStatus = !failure ? 'success' : failure.status === 'canceled' ? 'canceled' : scriptTimedOut ? 'timedout' : 'failed';
      await afterScript(status);
    }
  }

  // Caches and artifacts are saved whenever the environment was prepared, unless the job timed
  // out or was cancelled before its script started.
  if (prepared && !jobDeadline.signal.aborted && !(cancel.aborted && !scriptStarted)) {
    const postSignal = scriptStarted ? jobDeadline.signal : beforeScript;
    const outcome = failure ? 'failed' : 'success';
    const postStages: Array<[BuildStage, boolean, () => Promise<void>]> = [
      [outcome === 'success' ? 'archive_cache' : 'archive_cache_on_failure', job.spec.cache.length > 0, () => workspace.archiveCache(outcome, sink, postSignal)],
      [`upload_artifacts_on_${outcome === 'success' ? 'success' : 'failure'}`, job.spec.artifacts !== undefined, () => workspace.uploadArtifacts(outcome, sink, postSignal)],
    ];
    for (const [name, needed, work] of postStages) {
      if (!needed || postSignal.aborted) continue;
      const err = await stage(name, stageDescription(name), () => settle(work(), postSignal));
      if (err !== undefined && !failure) failure = failureOf(err);
    }
  }

  if (jobDeadline.signal.aborted) failure = timedOut();
  else if (cancel.aborted) failure = cancelFailure();
  jobDeadline.clear();
  if (!failure) log.notice('Job succeeded');
  else log.error(failure.system ? `Job failed (system failure): ${failure.message}` : `Job failed: ${failure.message}`);

  const cleanupErr = await stage('cleanup', undefined, () => executor.cleanup(job, cleanupSignal()));
  if (cleanupErr !== undefined) log.warning(`cleanup failed: ${cleanupErr instanceof Error ? cleanupErr.message : String(cleanupErr)}`);
  sink.flush();

  return {
    status: failure?.status ?? 'success',
    ...(failure?.failureReason ? { failureReason: failure.failureReason } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    allowedToFail: failure ? isAllowedToFail(job.spec, failure) : false,
    timings,
    startedAt,
    finishedAt: new Date(),
  };
}

/** A signal that fires after `ms` (never when undefined), with a clear() for the timer. */
function deadline(ms: number | undefined): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  if (ms === undefined) return { signal: controller.signal, clear: () => {} };
  const timer = setTimeout(() => controller.abort(new JobTimeoutError(ms)), ms);
  // The work it bounds keeps the process alive; the deadline itself must not.
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * Waits for `work`; once `signal` fires, waits at most ABORT_GRACE_MS more, so an executor or
 * workspace that ignores its signal can't hold the job forever.
 */
function settle<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), ABORT_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

async function drydockVersion(): Promise<string> {
  try {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'dev';
  } catch {
    return 'dev';
  }
}

/** A runner hook as a command list: nothing for an unset or blank one. */
function present(hook: string | undefined): string[] {
  return hook !== undefined && hook.trim() !== '' ? [hook] : [];
}
