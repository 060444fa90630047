// The Docker executor: one container per job (a `docker exec` per stage, or for a job with nothing
// but its script the script as the container's own process: see start-stage.ts), services on a
// per-job bridge network, readiness before the first script, and label-based cleanup that also
// runs after a cancel or a crash. Only this folder talks to Docker; nothing from dockerode leaves it.
import type Docker from 'dockerode';
import { stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { BuildStage, Executor, ExecutorJob, JobPaths, StageResult, StepRequest } from '../executor.js';
import { ExecutorError } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';
import { ownerId, removeOrphans, removeRunObjects, type RemovalReport } from './cleanup.js';
import { connectDocker, dockerIsLocal } from './docker-connection.js';
import type { DockerExecutorOptions } from './docker-executor-options.js';
import type { LayerCacheLease } from './layer-cache.js';
import { prepareJob, type PreparedJob } from './prepare-job.js';
import { buildsBinds } from './create-options.js';
import { execStage } from './exec-stage.js';
import { startStage, type PendingStage } from './start-stage.js';
import { generatePrepareScript, GITLAB_ENV_FILE } from '../script/generate-script.js';

/** The pre-started first user stage, once: later stages (and cleanup) get undefined. */
async function takePendingStage(prepared: PreparedJob): Promise<PendingStage | undefined> {
  const pending = prepared.pendingStage;
  delete prepared.pendingStage;
  return pending;
}

export type { DockerExecutorOptions, RunnerServiceOption } from './docker-executor-options.js';

/** Stages that do not run the user's scripts: they may run while services still boot. */
const HOST_SIDE_STAGES: ReadonlySet<BuildStage> = new Set(['prepare_executor', 'prepare_script', 'get_sources', 'restore_cache', 'download_artifacts']);

interface JobRecord {
  prepared?: PreparedJob;
  lease?: LayerCacheLease;
}

export class DockerExecutor implements Executor {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly owner = ownerId();
  private readonly jobs = new Map<string, JobRecord>();
  private orphanSweep: Promise<unknown> | undefined;

  constructor(private readonly opts: DockerExecutorOptions = {}) {
    this.docker = connectDocker(opts.connection);
  }

  jobPaths(job: Pick<ExecutorJob, 'projectPath'>): JobPaths {
    const projectDir = `/builds/${job.projectPath.replace(/^\/+|\/+$/g, '')}`;
    return { buildsDir: '/builds', projectDir, tmpDir: `${projectDir}.tmp` };
  }

  async prepare(job: ExecutorJob, sink: LogSink, signal: AbortSignal): Promise<void> {
    // The ping runs beside the first calls of prepare (it only turns "engine unreachable" into a
    // clear message): a job start waits for one round trip less.
    const pinged = this.ping(signal);
    pinged.catch(() => {});
    const record: JobRecord = {};
    this.jobs.set(job.runId, record);
    const environment = (this.opts.environment ?? []).map((e) => ({ ...e, masked: false, file: false, raw: true }));
    const withEnvironment = { ...job, variables: [...environment, ...job.variables] };
    try {
      record.prepared = await prepareJob(this.docker, withEnvironment, this.jobPaths(job), {
        ...this.opts, local: dockerIsLocal(this.opts.connection), owner: this.owner,
      }, sink, signal, (lease) => { record.lease = lease; });
    } catch (err) {
      await pinged; // an unreachable engine is reported as such, not as the first call that failed
      throw err;
    }
    await pinged;
    if (this.opts.removeOrphansAtStart !== false) {
      // Leftovers of crashed runs never collide with this job (names are run-unique): sweep them
      // in the background once this job's containers are up (not competing with their start);
      // cleanup waits for the sweep so the process never exits mid-way.
      this.orphanSweep ??= removeOrphans(this.docker, { signal: AbortSignal.timeout(5 * 60_000) }).catch(() => undefined);
    }
  }

  async run(job: ExecutorJob, step: StepRequest, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    const prepared = this.jobs.get(job.runId)?.prepared;
    if (!prepared) throw new ExecutorError(`job ${job.runId} was not prepared`, 'runner_system_failure');
    if (!HOST_SIDE_STAGES.has(step.stage)) {
      if (prepared.readiness) {
        // Services must be up before the first user script; earlier stages ran while they booted.
        const text = await Promise.race([prepared.readiness, new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        })]);
        delete prepared.readiness;
        sink.write(text);
      }
      const pending = await takePendingStage(prepared);
      if (pending) return pending.run(step.script, sink, signal);
    }
    if (step.stage === 'prepare_script' && this.preparesOnHost(job, step.script)) {
      // What that script would print and do, without a `docker exec` (0.05-0.2 s, taken from the
      // services' boot on a busy engine): its tmp dir is this host's job.hostTmpDir. An image's
      // ENTRYPOINT then first runs for step_script (gitlab-runner also runs it for this stage: only
      // an entrypoint that prints or fails shows the difference, in the next section's log).
      sink.write(`Running on ${prepared.hostname}...\n`);
      await unlink(path.join(job.hostTmpDir, GITLAB_ENV_FILE)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      return { exitCode: 0 };
    }
    // A gated container runs its gate until step_script: stages before it (a get_sources hook) exec into it.
    if (prepared.mode === 'start' && !prepared.pendingStage) return startStage(this.docker, prepared.build, prepared.image, step.script, sink, signal, prepared.gated);
    return execStage(this.docker, prepared.build, prepared.stageCmd, step.script, sink, signal);
  }

  /** The runtime's standard prepare_script and an engine on this host. */
  private preparesOnHost(job: ExecutorJob, script: string): boolean {
    return dockerIsLocal(this.opts.connection) && script === generatePrepareScript({ shell: job.shell, paths: this.jobPaths(job) });
  }

  async cleanup(job: ExecutorJob, signal: AbortSignal): Promise<void> {
    const record = this.jobs.get(job.runId);
    this.jobs.delete(job.runId);
    record?.prepared?.stopWaiting.abort();
    if (record?.prepared) void takePendingStage(record.prepared).then((pending) => pending?.discard());
    if (record?.prepared) await this.returnFilesToOwner(job, record.prepared, signal);
    await this.orphanSweep;
    if (record?.lease && record.prepared) {
      // Let dockerd in the dind service shut down cleanly so the cached /var/lib/docker stays sound.
      await Promise.all(record.prepared.services.map((s) => s.container.stop({ t: 10, abortSignal: signal }).catch(() => {})));
    }
    try {
      const report = await removeRunObjects(this.docker, job.runId, signal);
      if (report.errors.length > 0) throw new ExecutorError(`cleanup left objects behind: ${report.errors.join('; ')}`);
    } finally {
      await record?.lease?.release();
    }
  }

  /**
   * Files the job (or a service, through the shared builds dir) created as root would be left in
   * the host's builds directory where their owner cannot delete them: give everything under the
   * job's bind mounts to the owner of the directory holding the project checkout (normally the
   * user running drydock). Nothing to do when that owner is root or the engine is remote.
   */
  private async returnFilesToOwner(job: ExecutorJob, prepared: PreparedJob, signal: AbortSignal): Promise<void> {
    if (!dockerIsLocal(this.opts.connection)) return;
    const owner = await stat(path.dirname(job.hostProjectDir)).catch(() => undefined);
    if (owner === undefined || owner.uid === 0) return;
    const paths = this.jobPaths(job);
    const wholeBuildsDir = buildsBinds(job, paths).length === 1;
    const dirs = (wholeBuildsDir ? [paths.buildsDir] : [paths.projectDir, paths.tmpDir]).map((d) => `'${d.replace(/'/g, `'\\''`)}'`);
    const script = `chown -R -h ${owner.uid}:${owner.gid} ${dirs.join(' ')} 2>/dev/null || chown -R ${owner.uid}:${owner.gid} ${dirs.join(' ')} 2>/dev/null || true\n`;
    const quiet: LogSink = { write: () => {} };
    try {
      // A gated container whose script never ran is still in its gate (its stdin just closed).
      if (prepared.gated) await prepared.build.wait({ condition: 'not-running', abortSignal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
      if (prepared.mode === 'start') await startStage(this.docker, prepared.build, prepared.image, script, quiet, signal, prepared.gated);
      else await execStage(this.docker, prepared.build, prepared.stageCmd, script, quiet, signal);
    } catch {
      // The container is gone or has no chown: the files stay as they are (the job's result stands).
    }
  }

  /** `drydock cleanup`: objects of dead drydock processes (all of them with `all`). */
  removeLeftovers(opts: { all?: boolean; includeLayerCache?: boolean; signal: AbortSignal }): Promise<RemovalReport> {
    return removeOrphans(this.docker, opts);
  }

  private async ping(signal: AbortSignal): Promise<void> {
    try {
      await Promise.race([this.docker.ping(), new Promise((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      })]);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new ExecutorError(`cannot reach the Docker engine (${(err as Error).message}): is it running, and may this user use it? Set DOCKER_HOST or [runners.docker] host for a remote engine.`, 'runner_system_failure', { cause: err });
    }
  }
}
