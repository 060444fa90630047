// Runs jobs directly on this machine (gitlab-runner's "shell" executor).
//
// - Paths: the project dir is the host checkout (job.hostProjectDir); scripts and file variables go
//   to job.hostTmpDir. CI_BUILDS_DIR is the `buildsDir` option when given, else the checkout's
//   path minus the trailing project path (`<root>/group/project` → `<root>`), else its parent.
// - Each stage is a fresh non-login shell (`bash <file>` or `sh <file>`) in its own process group,
//   with a clean environment (see shell-env.ts) and stdin from /dev/null. gitlab-runner starts a
//   login shell (`bash -l`); drydock doesn't, so host profile files can't change PATH or print
//   into the job log. stdout and stderr are merged into one pipe (`exec 2>&1`) so their order is
//   kept, and passed to the sink as raw bytes.
// - Cancel/timeout: SIGTERM to the group, SIGKILL after `killGraceMs`; nothing is left running.
// - Speed (every spawn from a large Node process blocks it for several ms): the shell is checked
//   once per executor and shell, not once per job, as gitlab-runner checks it once per executor;
//   and prepare_script, whose job environment is this very host, is done here rather than in a
//   shell when it is the runtime's standard prepare script (print the host, drop a stale
//   $GITLAB_ENV). Any other prepare script still runs in the shell.
import { spawn } from 'node:child_process';
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { CancelledError } from '../../shared/abort.js';
import type { LogSink } from '../../shared/log-sink.js';
import { type Executor, ExecutorError, type ExecutorJob, type JobPaths, type StageResult, type StepRequest } from '../executor.js';
import { generatePrepareScript, GITLAB_ENV_FILE } from '../script/generate-script.js';
import { runProcessGroup } from './process-group.js';
import { shellEnvironment } from './shell-env.js';

export interface ShellExecutorOptions {
  /** Overrides the job's shell. */
  shell?: 'bash' | 'sh';
  /** CI_BUILDS_DIR to report (the runner's builds_dir); derived from the checkout path if absent. */
  buildsDir?: string;
  /** Between SIGTERM and SIGKILL on cancel (default 10 s). */
  killGraceMs?: number;
  /** Extra host environment variables to pass to jobs, besides the built-in allowlist. */
  passEnv?: readonly string[];
  /** Host environment to pick from (default process.env); for tests. */
  hostEnv?: NodeJS.ProcessEnv;
}

/** Upper bound for the one-off shell check (it is `sh -c 'exit 0'`). */
const SHELL_CHECK_TIMEOUT_MS = 30_000;

export class ShellExecutor implements Executor {
  readonly name = 'shell';
  /** Shell checks that passed or are under way, by shell and PATH; a failed one is forgotten. */
  private readonly shellChecks = new Map<string, Promise<void>>();

  constructor(private readonly options: ShellExecutorOptions = {}) {}

  jobPaths(job: Pick<ExecutorJob, 'runId' | 'spec' | 'projectPath' | 'hostProjectDir' | 'hostTmpDir'>): JobPaths {
    return { buildsDir: this.options.buildsDir ?? buildsRoot(job.hostProjectDir, job.projectPath), projectDir: job.hostProjectDir, tmpDir: job.hostTmpDir };
  }

  async prepare(job: ExecutorJob, sink: LogSink, signal: AbortSignal): Promise<void> {
    const shell = this.shellOf(job);
    sink.write(`Using Shell (${shell}) executor...\n`);
    await Promise.all([mkdir(job.hostTmpDir, { recursive: true, mode: 0o700 }), mkdir(job.hostProjectDir, { recursive: true })]);
    await untilAborted(this.checkShellOnce(shell), signal);
  }

  async run(job: ExecutorJob, step: StepRequest, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError();
    await mkdir(job.hostTmpDir, { recursive: true, mode: 0o700 });
    if (step.stage === 'prepare_script' && step.script === generatePrepareScript({ shell: job.shell, paths: this.jobPaths(job) })) {
      return this.prepareOnHost(job, sink);
    }
    const file = join(job.hostTmpDir, scriptName(step.stage));
    await writeFile(file, `exec 2>&1\n${step.script}`, { mode: 0o700 });
    try {
      return await runProcessGroup({
        command: this.shellOf(job), args: [file], cwd: job.hostTmpDir, env: this.env(),
        onOutput: (chunk) => sink.write(chunk), signal, killGraceMs: this.options.killGraceMs ?? 10_000,
      });
    } catch (err) {
      throw new ExecutorError(`cannot start ${this.shellOf(job)}: ${err instanceof Error ? err.message : String(err)}`, 'runner_system_failure', { cause: err });
    }
  }

  /** Removes what the executor and its scripts wrote to the tmp dir (scripts, file variables, $GITLAB_ENV). */
  async cleanup(job: ExecutorJob, _signal: AbortSignal): Promise<void> {
    const names = new Set([GITLAB_ENV_FILE, ...STAGES.map(scriptName)]);
    for (const v of job.variables) if (v.file) names.add(v.key);
    // One listing, then only the names that exist (usually two or three of the thirteen-odd).
    const present = await readdir(job.hostTmpDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    await Promise.all(present.filter((name) => names.has(name)).map((name) => removeFile(join(job.hostTmpDir, name))));
  }

  /**
   * Starts the shell check now (for the configured shell, else bash), so the first jobs don't wait
   * for it. Optional: prepare() checks anyway, and a failure is reported there.
   */
  preflight(): void {
    this.checkShellOnce(this.options.shell ?? 'bash').catch(() => undefined);
  }

  /** What the standard prepare script does, without a shell: the job environment is this host. */
  private async prepareOnHost(job: ExecutorJob, sink: LogSink): Promise<StageResult> {
    sink.write(`Running on ${hostname()}...\n`);
    await removeFile(join(this.jobPaths(job).tmpDir, GITLAB_ENV_FILE));
    return { exitCode: 0 };
  }

  private checkShellOnce(shell: string): Promise<void> {
    const env = this.env();
    const key = `${shell}\0${env['PATH'] ?? ''}`;
    let check = this.shellChecks.get(key);
    if (check === undefined) {
      // Not bound to one job's signal: a cancelled job must not fail the check for the others.
      check = checkShell(shell, env, AbortSignal.timeout(SHELL_CHECK_TIMEOUT_MS));
      this.shellChecks.set(key, check);
      check.catch(() => this.shellChecks.delete(key));
    }
    return check;
  }

  private shellOf(job: Pick<ExecutorJob, 'shell'>): 'bash' | 'sh' {
    return this.options.shell ?? job.shell;
  }

  private env(): Record<string, string> {
    return shellEnvironment(this.options.hostEnv ?? process.env, this.options.passEnv);
  }
}

const STAGES = ['prepare_script', 'step_script', 'after_script', 'get_sources', 'restore_cache', 'download_artifacts', 'archive_cache', 'archive_cache_on_failure', 'upload_artifacts_on_success', 'upload_artifacts_on_failure', 'cleanup_file_variables'];

function scriptName(stage: string): string {
  return `script.${stage}.sh`;
}

function buildsRoot(projectDir: string, projectPath: string): string {
  const suffix = `/${projectPath.replace(/^\/+|\/+$/g, '')}`;
  const trimmed = projectDir.replace(/\/+$/, '');
  if (suffix !== '/' && trimmed.endsWith(suffix) && trimmed.length > suffix.length) return trimmed.slice(0, -suffix.length);
  return dirname(trimmed);
}

/** `rm -f` of one file; unlink, not fs.rm, which stats first (most of these names never existed). */
async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Waits for `work`, but gives up (rejecting with the signal's reason) once `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Fails prepare with a clear message when the shell can't be started at all. */
function checkShell(shell: string, env: Record<string, string>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', 'exit 0'], { env, stdio: 'ignore', signal });
    child.once('error', (err) => {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(missing ? new ExecutorError(`shell "${shell}" not found in PATH (${env['PATH'] ?? ''})`, 'runner_system_failure', { cause: err }) : err);
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new ExecutorError(`shell "${shell}" does not start (exit code ${code ?? 'signal'})`))));
  });
}
