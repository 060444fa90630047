// One job from the coordinator, start to end: payload → JobSpec → builds dir and variables →
// runtime.runJob on the runner's executor with a RunnerWorkspace → final state to the server.
// The log streams to the server all along (JobTrace); a server cancel aborts the runtime's signal.
import { mkdir, rm } from 'node:fs/promises';
import type { Executor, ExecutorJob } from '../../executor/executor.js';
import { jobSpecFromPayload, normaliseFailureReason, type JobPayload } from '../../protocol/index.js';
import { runJob } from '../../runtime/run-job.js';
import type { JobResult } from '../../runtime/types.js';
import { CancelledError } from '../../shared/abort.js';
import type { LogSink } from '../../shared/log-sink.js';
import type { CacheScope, CacheTransport } from '../cache/cache-transport.js';
import type { RunnerEntry } from '../config/schema.js';
import { runnerHooks } from '../config/runner-hooks.js';
import { customClonePath } from '../../runtime/workspace/custom-clone-path.js';
import { isGoTrue, lastValue } from '../../shared/variable-lookup.js';
import type { RunnerApiClient } from '../network/runner-api-client.js';
import { buildDirs, safeProjectPath } from './build-dirs.js';
import { JobTrace, type FinalState } from './job-trace.js';
import { RunnerWorkspace } from './runner-workspace.js';
import { runnerJobVariables, type ExpandValue } from './runner-job-variables.js';

export interface RunnerJobContext {
  client: RunnerApiClient;
  runner: RunnerEntry;
  shortToken: string;
  /** The runner's executor; a rejection fails the job (e.g. kubernetes with no cluster). */
  executor: () => Promise<Executor>;
  workDir: string;
  version: string;
  expand: ExpandValue;
  cacheTransport: (scope: CacheScope) => CacheTransport;
  concurrentId: number;
  concurrentProjectId: number;
  /** Fires when the runner stops for good (shutdown timeout, second Ctrl-C): the job fails. */
  shutdown: AbortSignal;
  systemId: string;
  log: (line: string) => void;
}

export interface RunnerJobOutcome {
  jobId: number;
  state: FinalState['state'];
  failureReason?: string;
  result?: JobResult;
}

const RED = '\x1b[31;1m';
const RESET = '\x1b[0;m';

export async function runRunnerJob(payload: JobPayload, ctx: RunnerJobContext): Promise<RunnerJobOutcome> {
  const serverCancel = new AbortController();
  const trace = new JobTrace({
    client: ctx.client, jobId: payload.id, jobToken: payload.token,
    outputLimitBytes: ctx.runner.output_limit * 1024,
    finalUpdateAttempts: ctx.runner.job_status_final_update_retry_limit,
    onAbort: (reason) => {
      if (serverCancel.signal.aborted) return;
      ctx.log(`job ${payload.id}: ${reason}; stopping it`);
      serverCancel.abort(new CancelledError(reason));
    },
    log: ctx.log,
  });
  trace.start();
  const supported = payload.features.failure_reasons;
  const finish = async (final: FinalState, result?: JobResult): Promise<RunnerJobOutcome> => {
    const reported: FinalState = final.failureReason ? { ...final, failureReason: mapFailureReason(final.failureReason, supported) } : final;
    await trace.finish(reported);
    return { jobId: payload.id, state: reported.state, ...(reported.failureReason ? { failureReason: reported.failureReason } : {}), ...(result ? { result } : {}) };
  };

  let executor: Executor;
  try {
    executor = await ctx.executor();
  } catch (err) {
    const reason = typeof (err as { failureReason?: unknown }).failureReason === 'string' ? (err as { failureReason: string }).failureReason : 'runner_configuration_error';
    trace.write(`${RED}ERROR: Preparation failed: ${(err as Error).message}${RESET}\n`);
    trace.write(`${RED}ERROR: Job failed (system failure): ${(err as Error).message}${RESET}\n`);
    return finish({ state: 'failed', failureReason: reason });
  }

  const spec = jobSpecFromPayload(payload);
  const defaultProjectPath = safeProjectPath(payload.job_info.project_full_path, `project-${payload.job_info.project_id}`);
  const dirsFor = (projectPath: string) => buildDirs({
    ...(ctx.runner.builds_dir ? { buildsDir: ctx.runner.builds_dir } : {}),
    workDir: ctx.workDir, executor: ctx.runner.executor, shortToken: ctx.shortToken,
    concurrentProjectId: ctx.concurrentProjectId, projectPath,
  });
  let projectPath = defaultProjectPath;
  let dirs = dirsFor(projectPath);
  const runId = `drydock-${ctx.shortToken}-${payload.id}-${process.pid}`;
  const signal = AbortSignal.any([serverCancel.signal, ctx.shutdown]);
  let tmpCreated = false;
  try {
    const located = (p: string, d: typeof dirs) => {
      const paths = executor.jobPaths({ runId, spec, projectPath: p, hostProjectDir: d.hostProjectDir, hostTmpDir: d.hostTmpDir });
      return {
        paths, variables: runnerJobVariables({
          payload, paths, environment: ctx.runner.environment, featureFlags: ctx.runner.feature_flags, shortToken: ctx.shortToken,
          concurrentId: ctx.concurrentId, concurrentProjectId: ctx.concurrentProjectId, executorName: executor.name,
          version: ctx.version, expand: ctx.expand,
        }),
      };
    };
    let { paths, variables } = located(projectPath, dirs);
    // GIT_CLONE_PATH (expanded with the job's variables, CI_BUILDS_DIR among them) moves the checkout.
    const clone = customClonePath({
      value: lastValue(variables, 'GIT_CLONE_PATH'), buildsDir: paths.buildsDir,
      enabled: ctx.runner.custom_build_dir?.enabled ?? executor.name !== 'shell',
    });
    if (clone.kind === 'error') {
      trace.write(`${RED}ERROR: Job failed: ${clone.message}${RESET}\n`);
      return await finish({ state: 'failed', failureReason: clone.failureReason });
    }
    if (clone.kind === 'custom') {
      projectPath = clone.relative;
      // The shell executor's checkout is the path itself; the others mirror it under their host builds dir.
      dirs = executor.name === 'shell' ? { ...dirs, hostProjectDir: clone.dir, hostTmpDir: `${clone.dir}.tmp` } : dirsFor(projectPath);
      ({ paths, variables } = located(projectPath, dirs));
    }
    await mkdir(dirs.hostTmpDir, { recursive: true });
    tmpCreated = true;
    if (ctx.runner.debug_trace_disabled && isGoTrue(lastValue(variables, 'CI_DEBUG_TRACE'))) {
      // gitlab-runner's IsDebugTraceEnabled: the job runs, without the shell trace.
      trace.write(`\x1b[0;33mWARNING: CI_DEBUG_TRACE: usage is disabled on this Runner\x1b[0;m\n`);
      variables = [...variables, { key: 'CI_DEBUG_TRACE', value: 'false', public: true, masked: false, file: false, raw: true }];
    }
    const shell: 'bash' | 'sh' = ctx.runner.shell === 'sh' ? 'sh' : 'bash';
    const job: ExecutorJob = { runId, spec, projectPath, hostProjectDir: dirs.hostProjectDir, hostTmpDir: dirs.hostTmpDir, variables, shell };
    const workspace = new RunnerWorkspace({
      payload, variables, hostProjectDir: dirs.hostProjectDir, hostTmpDir: dirs.hostTmpDir,
      repoUrl: repositoryUrl(payload, ctx.runner.clone_url), client: ctx.client,
      cache: ctx.cacheTransport({ runnerShortToken: ctx.shortToken, projectId: payload.job_info.project_id }),
      expand: ctx.expand,
    });
    const sink = afterFirstLine(trace, `  on ${ctx.runner.name || 'drydock'} ${ctx.shortToken}, system ID: ${ctx.systemId}\n`);
    const result = await runJob(job, executor, workspace, { signal, sink, defaultTimeoutSeconds: payload.runner_info.timeout, hooks: runnerHooks(ctx.runner) });
    if (result.status === 'success') return await finish({ state: 'success' }, result);
    if (result.status === 'canceled') {
      const why = serverCancel.signal.aborted ? 'canceled on the server' : 'the runner was stopped before the job finished';
      if (!serverCancel.signal.aborted) trace.write(`${RED}ERROR: Job failed (system failure): aborted: ${why}${RESET}\n`);
      return await finish({ state: 'failed', failureReason: serverCancel.signal.aborted ? 'unknown_failure' : 'runner_system_failure' }, result);
    }
    return await finish({
      state: 'failed', failureReason: result.failureReason ?? 'unknown_failure',
      ...(result.exitCode !== undefined && result.failureReason === 'script_failure' ? { exitCode: result.exitCode } : {}),
    }, result);
  } catch (err) {
    // Anything that escapes the runtime is a system failure of this job, reported in its log.
    trace.write(`${RED}ERROR: Job failed (system failure): ${(err as Error).message}${RESET}\n`);
    return await finish({ state: 'failed', failureReason: 'runner_system_failure' });
  } finally {
    trace.dispose();
    if (tmpCreated) await rm(dirs.hostTmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** gitlab-runner's second log line (`  on <name> <short>, system ID: ...`) goes under the runtime's first. */
function afterFirstLine(sink: LogSink, line: string): LogSink {
  let pending = true;
  return {
    write: (chunk) => {
      sink.write(chunk);
      if (pending && chunk.includes('\n')) {
        pending = false;
        sink.write(line);
      }
    },
  };
}

/** Our reason, in the vocabulary this server accepts (server facts §1.7 features.failure_reasons). */
export function mapFailureReason(reason: string, supported: readonly string[] | undefined): string {
  const always = ['script_failure', 'runner_system_failure', 'job_execution_timeout'];
  if (supported === undefined || supported.length === 0 || supported.includes(reason) || always.includes(reason)) return normaliseFailureReason(reason);
  if (reason === 'image_pull_failure') return 'runner_system_failure';
  if (reason === 'runner_configuration_error') return 'script_failure';
  return 'unknown_failure';
}

/** git_info.repo_url, or [[runners]] clone_url + project path with the job token as credentials. */
export function repositoryUrl(payload: JobPayload, cloneUrl: string | undefined): string {
  if (!cloneUrl) return payload.git_info.repo_url;
  try {
    const u = new URL(cloneUrl);
    u.username = 'gitlab-ci-token';
    u.password = payload.token;
    const project = payload.job_info.project_full_path ?? payload.job_info.project_name;
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/${project}.git`;
    return u.toString();
  } catch {
    return payload.git_info.repo_url;
  }
}
