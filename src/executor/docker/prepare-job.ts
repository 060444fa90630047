// prepare(): network (when there are services), volumes, layer cache, image pulls, services and
// their readiness, then the job container (started with a waiting PID 1 and a `docker exec` per
// stage, or only created when step_script can be its own process: see PreparedJob.mode). Every object is
// labelled with the run id before anything else can fail, so cleanup finds it whatever happens
// next. Independent Docker calls run in parallel: prepare is on every job's critical path.
import type Docker from 'dockerode';
import { stat } from 'node:fs/promises';
import type { ExecutorJob, JobPaths } from '../executor.js';
import { ExecutorError } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';
import { shellDetectionCommand } from '../script/generate-script.js';
import { buildContainerName, networkName, objectLabels, projectUniqueName, serviceContainerName, volumeName, type NamingContext } from './container-names.js';
import { buildContainerOptions, buildsBinds, jobEnv, serviceEnv, type BuildContainerInput } from './create-options.js';
import { KEEPALIVE_ENTRYPOINT } from './exec-stage.js';
import { STAGE_GATE, StartedStage, startError, type PendingStage } from './start-stage.js';
import { defaultDockerConfigPath, loadCredentialSources, resolveRegistryAuth } from './credential-sources.js';
import { diagnoseDockerHost, isDindImage } from './docker-host-diagnosis.js';
import { serviceCmd } from './dind-registry-flags.js';
import type { DockerExecutorOptions } from './docker-executor-options.js';
import { ImagePuller } from './image-puller.js';
import { planJob, type JobPlan } from './job-plan.js';
import { acquireLayerCache, type LayerCacheLease } from './layer-cache.js';
import { portAccepts, serviceWarningBlock, startService, waitForServices, type ServiceReadiness, type StartedService } from './services.js';
import { serviceName } from './service-aliases.js';
import { bindEntry } from './volumes.js';
import { lastValue } from '../../shared/variable-lookup.js';
import { WaitingStage } from './waiting-stage.js';
import { debugServicesEnabled, streamServiceLogs } from './service-log-stream.js';

export interface PreparedJob {
  build: Docker.Container;
  /** What each stage execs in the running job container: the effective entrypoint plus the shell detection command. */
  stageCmd: string[];
  /**
   * exec: the container runs (PID 1 only waits) and each stage is a `docker exec` of stageCmd.
   * start: stageCmd is the container's own command and each stage starts the container; with
   * `gated`, behind STAGE_GATE (each start's input begins with its go line).
   */
  mode: 'exec' | 'start';
  gated: boolean;
  image: string;
  /** The job container's hostname (what `hostname` prints inside it). */
  hostname: string;
  services: StartedService[];
  lease?: LayerCacheLease;
  /** Log text of the service readiness wait, once it is over; awaited before the first user script. */
  readiness?: Promise<string>;
  /** The first user stage, started while the services boot (undefined if its exec could not start). */
  pendingStage?: Promise<PendingStage | undefined>;
  stopWaiting: AbortController;
}

const YELLOW = '\x1b[0;33m';
const RESET = '\x1b[0;m';

export function namingContext(job: Pick<ExecutorJob, 'runId' | 'spec' | 'variables'>, opts: DockerExecutorOptions): NamingContext {
  const v = (key: string) => lastValue(job.variables, key);
  return {
    runnerShort: opts.runnerShort ?? 'local',
    projectId: v('CI_PROJECT_ID') ?? '0',
    concurrentId: Number(v('CI_CONCURRENT_PROJECT_ID') ?? 0) || 0,
    runId: job.runId,
    jobName: job.spec.name,
  };
}

export async function prepareJob(
  docker: Docker, job: ExecutorJob, paths: JobPaths, opts: DockerExecutorOptions & { local: boolean; owner: string },
  sink: LogSink, signal: AbortSignal, onLease: (lease: LayerCacheLease) => void,
): Promise<PreparedJob> {
  const log = (line: string) => sink.write(`${line}\n`);
  const warn = (text: string) => sink.write(`${YELLOW}${text.trimEnd()}${RESET}\n`);
  const plan: JobPlan = planJob(job, paths, opts);
  for (const w of plan.warnings) warn(w);
  const ctx = namingContext(job, opts);
  log(`Using Docker executor with image ${plan.image} ...`);

  if (opts.local) await checkHostPaths(plan);

  // A job with services gets a bridge network of its own (FF_NETWORK_PER_BUILD behaviour): services
  // reach the job as `build` and each other by alias, and concurrent jobs can't reach them. A job
  // without services runs on the default bridge, as with gitlab-runner's default settings: nothing
  // needs an alias, and a network create, connect, disconnect and remove (0.1-0.4 s) are saved.
  const perJobNetwork = plan.services.length > 0;
  const network = perJobNetwork ? networkName(ctx) : 'bridge';
  const objects: Array<Promise<unknown>> = perJobNetwork
    ? [docker.createNetwork({ Name: network, Driver: 'bridge', CheckDuplicate: true, Labels: objectLabels(ctx, 'network', opts.owner), abortSignal: signal })]
    : [];
  const binds: string[] = [];
  for (const v of plan.volumes) {
    if (v.kind === 'dynamic') {
      const name = volumeName(ctx, v.target);
      objects.push(docker.createVolume({ Name: name, Labels: objectLabels(ctx, 'volume', opts.owner, { 'com.drydock.destination': v.target }), abortSignal: signal }));
      binds.push(`${name}:${v.target}`);
    } else {
      binds.push(bindEntry(v));
    }
  }
  // The project checkout is shared with every service (GitLab's builds volume): MOUNT_POINT.
  binds.push(...buildsBinds(job, paths));
  // Containers need the network and volumes; image lookups and pulls do not wait for them.
  const objectsReady = Promise.all(objects);
  objectsReady.catch(() => {}); // awaited before any container is created

  const dindIndex = plan.services.findIndex((s) => isDindImage(s.image, []));
  let lease: LayerCacheLease | undefined;
  if (opts.layerCache && dindIndex >= 0) {
    lease = await acquireLayerCache(docker, { projectPath: job.projectPath, slots: opts.layerCache.slots, signal });
    onLease(lease);
    log(`Using Docker layer cache volume ${lease.volume} (slot ${lease.slot}) for /var/lib/docker of the dind service`);
  }

  // Read now (its warnings belong here), needed only if a pull happens.
  const sources = loadCredentialSources(job.variables, opts.dockerConfigPath ?? defaultDockerConfigPath(), warn);
  const puller = new ImagePuller(docker);
  const ensure = (image: string, policies: JobPlan['policies']) => puller.ensure({
    image, policies, log, signal, auth: async () => resolveRegistryAuth(image, await sources, log, signal),
  });
  const privilegedServices = opts.servicesPrivileged ?? opts.privileged ?? false;

  const jobImage = ensure(plan.image, plan.policies);
  // With no after_script, the job container has only step_script to run (DockerExecutor does the
  // standard prepare_script on the host): it runs it as its own process, as `docker run` would.
  // Without services it is started by step_script; with services it starts now, behind a gate
  // that step_script opens once they are ready. An image ENTRYPOINT (which runs per stage) keeps
  // a job without services on exec.
  const launch: BuildLaunch = job.spec.afterScript.length > 0 || !opts.local ? 'exec' : plan.services.length > 0 ? 'gated-start' : 'start';
  // The job container starts while services boot: PID 1 only waits, the entrypoint runs per stage.
  const buildReady = Promise.all([jobImage, objectsReady]).then(([img]) => startBuildContainer(docker, {
    name: buildContainerName(ctx), image: plan.image, labels: objectLabels(ctx, 'build', opts.owner),
    env: jobEnv(job.variables), binds, privileged: opts.privileged ?? false, network,
    networkAliases: perJobNetwork ? ['build', buildContainerName(ctx)] : [],
    hostname: projectUniqueName(ctx), ...(plan.user ? { user: plan.user } : {}), ...(plan.platform ? { platform: plan.platform } : {}),
  }, plan.entrypoint, img.entrypoint, launch, signal));
  buildReady.catch(() => {}); // awaited below; cleanup removes it whatever happens
  const started = plan.services.map(async (s, n): Promise<StartedService> => {
    log(`Starting service ${s.image} ...`);
    const [pulled] = await Promise.all([ensure(s.image, s.policies), objectsReady]);
    const name = serviceContainerName(ctx, serviceName(s.image), s.index);
    const env = serviceEnv(job.variables, s.variables);
    const serviceBinds = lease && n === dindIndex ? [...binds, `${lease.volume}:/var/lib/docker`] : binds;
    return startService(docker, {
      name, image: s.image, labels: objectLabels(ctx, 'service', opts.owner, { 'com.drydock.service': s.image }),
      env, binds: serviceBinds, privileged: privilegedServices, network, networkAliases: s.aliases,
      ...(s.entrypoint ? { entrypoint: s.entrypoint } : {}), ...serviceCmd(s.image, s.command, job.variables, opts), ...(s.platform ? { platform: s.platform } : {}),
    }, { index: s.index, image: s.image, containerName: name, aliases: s.aliases, exposedTcpPorts: pulled.exposedTcpPorts }, signal);
  });
  const settled = await Promise.allSettled([buildReady, ...started]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await objectsReady.catch(() => {}); // so cleanup's listing sees a network still being created
    throw failed.reason;
  }
  const services = (settled.slice(1) as Array<PromiseFulfilledResult<StartedService>>).map((r) => r.value);

  // Services boot while prepare_script and get_sources run: the wait ends before the first
  // user script (see DockerExecutor.run), so a slow dind costs max(boot, those stages), not the sum.
  const stopWaiting = new AbortController();
  if (debugServicesEnabled(job.variables)) streamServiceLogs(docker, services, sink, stopWaiting.signal);
  let readiness: Promise<string> | undefined;
  if (services.length > 0 && plan.waitTimeoutMs !== undefined) {
    const timeoutMs = plan.waitTimeoutMs;
    log(`Waiting for services to be up and running (timeout ${timeoutMs / 1000} seconds)...`);
    readiness = reportReadiness(job, plan, services, network, timeoutMs, stopWaiting.signal);
    readiness.catch(() => {}); // awaited by the first user stage, or abandoned by cleanup
  }

  const { build, stageCmd, mode, gated, started: startedStage } = await buildReady;
  // An exec that fails to open is not the job's failure: the stage then runs as a plain exec and reports it.
  const pendingStage: Promise<PendingStage | undefined> | undefined = startedStage ? Promise.resolve(startedStage)
    : readiness && mode === 'exec' ? WaitingStage.open(docker, build, stageCmd).catch(() => undefined) : undefined;
  return {
    build, stageCmd, mode, gated, image: plan.image, hostname: projectUniqueName(ctx), services, stopWaiting,
    ...(readiness ? { readiness } : {}), ...(pendingStage ? { pendingStage } : {}), ...(lease ? { lease } : {}),
  };
}

type BuildLaunch = 'exec' | 'start' | 'gated-start';

interface LaunchedBuild {
  build: Docker.Container;
  stageCmd: string[];
  mode: 'exec' | 'start';
  gated: boolean;
  /** gated-start: the container, running its gate. */
  started?: StartedStage;
}

/**
 * Creates the job container and, except for `start`, starts it (PID 1 waits, or is the gated
 * first stage); returns the command each stage runs and the mode (see PreparedJob).
 */
async function startBuildContainer(docker: Docker, input: Omit<BuildContainerInput, 'cmd' | 'entrypoint'>, override: string[] | undefined, imageEntrypoint: string[],
  launch: BuildLaunch, signal: AbortSignal): Promise<LaunchedBuild> {
  // image:entrypoint replaces the image's ENTRYPOINT; [''] clears it.
  const entrypoint = override !== undefined ? override.filter((part) => part !== '') : imageEntrypoint;
  const stageCmd = [...entrypoint, ...shellDetectionCommand()];
  if (launch === 'start' && entrypoint.length === 0) {
    const build = await docker.createContainer({ ...buildContainerOptions({ ...input, cmd: shellDetectionCommand(), ...(override ? { entrypoint: override } : {}) }), abortSignal: signal });
    return { build, stageCmd, mode: 'start', gated: false };
  }
  if (launch === 'gated-start') {
    const build = await docker.createContainer({ ...buildContainerOptions({ ...input, cmd: stageCmd, entrypoint: STAGE_GATE }), abortSignal: signal });
    return { build, stageCmd, mode: 'start', gated: true, started: await StartedStage.open(docker, build, input.image, true) };
  }
  const build = await docker.createContainer({ ...buildContainerOptions({ ...input, cmd: [], entrypoint: KEEPALIVE_ENTRYPOINT }), abortSignal: signal });
  try {
    await build.start();
  } catch (err) {
    throw startError(err, input.image);
  }
  return { build, stageCmd, mode: 'exec', gated: false };
}

async function reportReadiness(job: ExecutorJob, plan: JobPlan, services: StartedService[], network: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const lines: string[] = [];
  const readiness = await waitForServices(services, network, timeoutMs, signal);
  for (const r of readiness) {
    if (r.state.kind === 'ready') lines.push(`Service ${r.service.image} is ready: ${r.service.aliases[0] ?? r.ip}:${r.state.port} accepted a connection after ${(r.state.ms / 1000).toFixed(1)} s\n`);
    else lines.push(`${YELLOW}${(await serviceWarningBlock(r, timeoutMs, signal)).trimEnd()}${RESET}\n`);
  }
  for (const problem of await dockerHostProblems(job, plan, readiness, signal)) lines.push(`${YELLOW}*** WARNING: ${problem}${RESET}\n`);
  return lines.join('');
}

async function dockerHostProblems(job: ExecutorJob, plan: JobPlan, readiness: ServiceReadiness[], signal: AbortSignal): Promise<string[]> {
  const dockerHost = lastValue(job.variables, 'DOCKER_HOST');
  const tlsCertDir = lastValue(job.variables, 'DOCKER_TLS_CERTDIR');
  const m = dockerHost ? /^tcp:\/\/([^:/]+)(?::(\d+))?/.exec(dockerHost) : null;
  const target = m?.[1] ? readiness.find((r) => r.service.aliases.includes(m[1] ?? '') && r.state.kind === 'ready') : undefined;
  const dockerHostPortOpen = target && m ? await portAccepts(target, Number(m[2] ?? 2375), signal) : undefined;
  return diagnoseDockerHost({
    ...(dockerHost !== undefined ? { dockerHost } : {}),
    ...(tlsCertDir !== undefined ? { tlsCertDir } : {}),
    ...(dockerHostPortOpen !== undefined ? { dockerHostPortOpen } : {}),
    volumeTargets: plan.volumes.map((v) => v.target),
    services: readiness.map((r) => ({
      image: r.service.image, aliases: r.service.aliases, exposedTcpPorts: r.service.exposedTcpPorts,
      ...(r.state.kind === 'ready' ? { openPort: r.state.port } : {}),
    })),
  });
}

/** A bind of a missing host path makes Docker create an empty directory there: say so instead. */
async function checkHostPaths(plan: JobPlan): Promise<void> {
  for (const v of plan.volumes) {
    if (v.kind !== 'bind') continue;
    try {
      await stat(v.source);
    } catch {
      throw new ExecutorError(`[runners.docker] volumes: invalid volume "${v.text}": the host path ${v.source} does not exist (Docker would mount an empty directory at ${v.target})`, 'runner_configuration_error');
    }
  }
}
