// The runtime's contract with its callers (`drydock run` in local/, the runner in runner/).

import type { ExecutorJob } from '../executor/executor.js';
import type { LogSink } from '../shared/log-sink.js';

/** GitLab's failure reasons that the runtime can produce. */
export type FailureReason =
  | 'script_failure'
  | 'runner_system_failure'
  | 'job_execution_timeout'
  | 'missing_dependency_failure'
  | 'image_pull_failure'
  | 'runner_configuration_error'
  | 'unknown_failure';

export type JobStatus = 'success' | 'failed' | 'canceled';

export interface JobResult {
  status: JobStatus;
  /** Set when status is 'failed'. */
  failureReason?: FailureReason;
  /** Exit code of step_script when it ran. */
  exitCode?: number;
  /** Failed, but allow_failure (or allow_failure:exit_codes) made it a warning. */
  allowedToFail: boolean;
  /** Milliseconds spent in each build stage that ran. */
  timings: Array<{ stage: string; ms: number }>;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Host-side work around the scripts: sources, caches, artifacts. Local runs and the runner each
 * provide one (git copy + .drydock state; git clone + coordinator HTTP). Every method writes
 * its progress to the sink and may throw; a throw fails the job with the stage's failure reason.
 */
export interface JobWorkspace {
  getSources(sink: LogSink, signal: AbortSignal): Promise<void>;
  restoreCache(sink: LogSink, signal: AbortSignal): Promise<void>;
  downloadArtifacts(sink: LogSink, signal: AbortSignal): Promise<void>;
  /** Called after step_script/after_script with the job's outcome so `when:` can be honoured. */
  archiveCache(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void>;
  uploadArtifacts(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void>;
}

export interface RunJobOptions {
  /** Fires on cancel (Ctrl-C, server cancel). */
  signal: AbortSignal;
  /** Raw job output; the runtime masks masked variables before writing here. */
  sink: LogSink;
  /** Default job timeout when the spec has none (GitLab: project timeout, 3600 s). */
  defaultTimeoutSeconds?: number;
  /** after_script timeout (GitLab: 5 min, RUNNER_AFTER_SCRIPT_TIMEOUT). */
  afterScriptTimeoutSeconds?: number;
  /** The runner's own scripts around the job's ([[runners]] in config.toml). */
  hooks?: RunnerHooks;
}

/**
 * config.toml's [[runners]] scripts. Each is one command (a multi-line one is echoed by its first
 * line), as in gitlab-runner: pre/post_get_sources_script run in the get_sources stage around the
 * checkout (in the job's container for docker), pre/post_build_script in the step_script shell
 * before before_script and after script (skipped when the script fails).
 */
export interface RunnerHooks {
  preGetSourcesScript?: string;
  postGetSourcesScript?: string;
  preBuildScript?: string;
  postBuildScript?: string;
}

export type { ExecutorJob };
