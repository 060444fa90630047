// `drydock runner run`: a job poller per [[runners]] entry (× request_concurrency), jobs run with the
// runtime on the executor the composition root builds, config.toml reloaded when it changes.
// Stopping: `stop` ends polling and waits for running jobs up to shutdown_timeout, then aborts them
// (they report failed); `force` aborts them at once. run() resolves when every job has reported.
import type { Executor } from '../../executor/executor.js';
import type { JobPayload } from '../../protocol/index.js';
import { CancelledError } from '../../shared/abort.js';
import { createCacheTransport } from '../cache/create-cache-transport.js';
import type { RunnerConfigFile, RunnerEntry } from '../config/schema.js';
import { sleep } from '../network/http-retry.js';
import { RunnerApiClient } from '../network/runner-api-client.js';
import { runnerInfo } from '../network/runner-info.js';
import { cacheRoot } from '../job/build-dirs.js';
import { runRunnerJob, type RunnerJobOutcome } from '../job/run-runner-job.js';
import type { ExpandValue } from '../job/runner-job-variables.js';
import { shortToken } from '../register/short-token.js';
import { watchConfig } from './config-watcher.js';
import { pollJobs } from './job-poller.js';
import { JobSlots, type SlotLease } from './job-slots.js';
import type { RunnerLog } from './runner-log.js';

/** Builds the executor of a [[runners]] entry (composition root: the runner may not import executors). */
export type ExecutorFactory = (runner: RunnerEntry, ctx: { shortToken: string; workDir: string }) => Promise<Executor>;

export interface RunnerServiceOptions {
  /** Reads (and validates) the configuration; called at start and on every reload. */
  loadConfig: (signal: AbortSignal) => Promise<RunnerConfigFile>;
  /** config.toml to watch for changes (absent: no reload, as for run-single). */
  configPath?: string;
  createExecutor: ExecutorFactory;
  expand: ExpandValue;
  version: string;
  /** Root of builds and caches (`--working-directory`). */
  workDir: string;
  systemId: string;
  log: RunnerLog;
  fetch?: typeof fetch;
  /** Stop after this many jobs (run-single --max-builds; 0 = no limit). */
  maxBuilds?: number;
  /** Stop when no job arrived within this many seconds (run-single --wait-timeout; 0 = forever). */
  waitTimeoutSeconds?: number;
}

interface PollerHandle {
  entry: RunnerEntry;
  fingerprint: string;
  stop: AbortController;
  done: Promise<void>;
  executor?: Promise<Executor>;
}

export interface RunnerServiceResult {
  jobs: RunnerJobOutcome[];
}

export class RunnerService {
  private config: RunnerConfigFile | undefined;
  private readonly pollers = new Map<string, PollerHandle>();
  private readonly running = new Set<Promise<RunnerJobOutcome>>();
  private readonly outcomes: RunnerJobOutcome[] = [];
  private readonly shutdown = new AbortController();
  private slots = new JobSlots(1);
  private started = 0;
  private readonly idle = new AbortController();

  constructor(private readonly o: RunnerServiceOptions) {}

  async run(stop: AbortSignal, force: AbortSignal): Promise<RunnerServiceResult> {
    this.config = await this.o.loadConfig(stop);
    this.slots = new JobSlots(this.config.concurrent);
    this.applyConfig(this.config);
    const polling = AbortSignal.any([stop, force, this.idle.signal]);
    const watcher = this.o.configPath
      ? watchConfig(this.o.configPath, () => void this.reload(polling), polling)
      : undefined;
    if (this.o.waitTimeoutSeconds) {
      const timer = setTimeout(() => {
        if (this.started === 0) { this.o.log.info(`no job received within ${this.o.waitTimeoutSeconds}s; stopping`); this.idle.abort(); }
      }, this.o.waitTimeoutSeconds * 1000);
      timer.unref();
      polling.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
    force.addEventListener('abort', () => this.shutdown.abort(new CancelledError('the runner was stopped')), { once: true });
    await new Promise<void>((resolve) => {
      if (polling.aborted) resolve();
      else polling.addEventListener('abort', () => resolve(), { once: true });
    });
    await watcher;
    for (const p of this.pollers.values()) p.stop.abort();
    await Promise.all([...this.pollers.values()].map((p) => p.done));
    await this.drain(force);
    return { jobs: [...this.outcomes] };
  }

  /** Re-reads the configuration now (SIGHUP); keeps the old one when the new one has errors. */
  async reload(signal: AbortSignal): Promise<void> {
    try {
      const next = await this.o.loadConfig(signal);
      this.o.log.info('configuration reloaded');
      this.config = next;
      this.slots.setConcurrent(next.concurrent);
      this.applyConfig(next);
    } catch (err) {
      if (signal.aborted) return;
      this.o.log.error(`config.toml could not be reloaded; keeping the previous configuration:\n${(err as Error).message}`);
    }
  }

  private applyConfig(config: RunnerConfigFile): void {
    const wanted = new Map<string, RunnerEntry>();
    for (const r of config.runners) {
      if (!r.url || !r.token) continue;
      for (let i = 0; i < r.request_concurrency; i++) wanted.set(`${r.url}\0${r.token}\0${i}`, r);
    }
    for (const [key, handle] of this.pollers) {
      const next = wanted.get(key);
      if (!next) {
        handle.stop.abort();
        this.pollers.delete(key);
      } else if (JSON.stringify(next) !== handle.fingerprint) {
        handle.entry = next;
        handle.fingerprint = JSON.stringify(next);
        delete handle.executor; // the next job gets an executor built from the new settings
      }
    }
    for (const [key, entry] of wanted) {
      if (this.pollers.has(key)) continue;
      this.startPoller(key, entry);
    }
    if (wanted.size === 0) this.o.log.warn('no [[runners]] entry with url and token in the configuration: nothing to do (register a runner first)');
  }

  private startPoller(key: string, entry: RunnerEntry): void {
    const stop = new AbortController();
    const handle: PollerHandle = { entry, fingerprint: JSON.stringify(entry), stop, done: Promise.resolve() };
    const short = shortToken(entry.token);
    const label = `runner ${entry.name || short} (${short})`;
    const client = new RunnerApiClient(entry.url, { ...(this.o.fetch ? { fetch: this.o.fetch } : {}), userAgent: `drydock-runner ${this.o.version} (${process.platform}/${process.arch})` });
    this.o.log.info(`${label}: checking for jobs on ${client.baseUrl} with the ${entry.executor} executor`);
    handle.done = pollJobs({
      runner: () => handle.entry, key: entry.token, label, client, slots: this.slots, systemId: this.o.systemId,
      info: () => runnerInfo({ version: this.o.version, executor: handle.entry.executor, shell: handle.entry.shell ?? 'bash' }),
      checkIntervalSeconds: () => this.config?.check_interval ?? 3,
      mayTakeJob: () => !this.o.maxBuilds || this.started < this.o.maxBuilds,
      start: (payload, lease) => this.startJob(handle, client, short, payload, lease),
      log: this.o.log,
    }, stop.signal).catch((err: unknown) => this.o.log.error(`${label}: polling stopped: ${(err as Error).message}`));
    this.pollers.set(key, handle);
  }

  private startJob(handle: PollerHandle, client: RunnerApiClient, short: string, payload: JobPayload, lease: SlotLease): void {
    this.started++;
    const entry = handle.entry;
    const { concurrentId, concurrentProjectId } = lease.assign(payload.job_info.project_id);
    handle.executor ??= this.o.createExecutor(entry, { shortToken: short, workDir: this.o.workDir });
    const executor = handle.executor;
    executor.catch(() => undefined);
    const job = runRunnerJob(payload, {
      client, runner: entry, shortToken: short, executor: () => executor, workDir: this.o.workDir, version: this.o.version,
      expand: this.o.expand, concurrentId, concurrentProjectId, shutdown: this.shutdown.signal, systemId: this.o.systemId,
      cacheTransport: (scope) => createCacheTransport(entry.cache, scope, cacheRoot({ ...(entry.cache_dir ? { cacheDir: entry.cache_dir } : {}), workDir: this.o.workDir, executor: entry.executor })),
      log: (line) => this.o.log.info(line),
    }).catch((err: unknown): RunnerJobOutcome => {
      this.o.log.error(`job ${payload.id}: ${(err as Error).message}`);
      return { jobId: payload.id, state: 'failed', failureReason: 'runner_system_failure' };
    }).then((outcome) => {
      this.o.log.info(`job ${payload.id} finished: ${outcome.state}${outcome.failureReason ? ` (${outcome.failureReason})` : ''}`);
      this.outcomes.push(outcome);
      return outcome;
    }).finally(() => {
      lease.release();
      this.running.delete(job);
      if (this.o.maxBuilds && this.started >= this.o.maxBuilds && this.running.size === 0) this.idle.abort();
    });
    this.running.add(job);
  }

  /** Waits for running jobs: up to shutdown_timeout after a graceful stop, then aborts them. */
  private async drain(force: AbortSignal): Promise<void> {
    if (this.running.size === 0) return;
    const timeoutS = this.config?.shutdown_timeout ?? 30;
    if (!force.aborted) {
      this.o.log.info(`waiting up to ${timeoutS}s for ${this.running.size} running job(s) to finish (Ctrl-C again to abort them)`);
      const all = Promise.all([...this.running]);
      const timedOut = await Promise.race([all.then(() => false), sleep(timeoutS * 1000, force).then(() => true, () => true)]);
      if (!timedOut) return;
      this.o.log.warn(`shutdown: aborting ${this.running.size} job(s) still running; they are reported as failed`);
    }
    this.shutdown.abort(new CancelledError('the runner was stopped'));
    await Promise.all([...this.running]);
  }
}
