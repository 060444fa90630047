// JobSpec pieces → Docker container create options. Pure and table-tested: everything the
// engine needs to know about a container is decided here, nothing is looked up.
import type Docker from 'dockerode';
import type { ResolvedVariable } from '../executor.js';
import type { JobVariable } from '../../pipeline/spec/job-spec.js';

/** Variables that carry the job's credentials: never handed to services. */
const SECRET_KEYS = new Set(['CI_JOB_TOKEN', 'CI_BUILD_TOKEN', 'CI_REGISTRY_PASSWORD', 'CI_DEPENDENCY_PROXY_PASSWORD', 'CI_REPOSITORY_URL', 'CI_DEPLOY_PASSWORD', 'DOCKER_AUTH_CONFIG']);

/** `KEY=value` list where a later variable with the same key wins. */
function toEnv(pairs: Iterable<[string, string]>): string[] {
  const map = new Map<string, string>();
  for (const [k, v] of pairs) {
    map.delete(k);
    map.set(k, v);
  }
  return [...map].map(([k, v]) => `${k}=${v}`);
}

/** Job container environment: every variable except file ones (the script writes those). */
export function jobEnv(variables: readonly ResolvedVariable[]): string[] {
  return toEnv(variables.filter((v) => !v.file).map((v) => [v.key, v.value]));
}

/**
 * Service environment as gitlab-runner builds it (GetAllVariables().PublicOrInternal()): the job's
 * public and internal variables (predefined, YAML, runner ones), never the project's or the
 * pipeline's own (`public: false`), file or masked ones or the job's credentials; then the service's own.
 */
export function serviceEnv(variables: readonly ResolvedVariable[], own: readonly JobVariable[]): string[] {
  const inherited = variables.filter((v) => v.public !== false && !v.file && !v.masked && !SECRET_KEYS.has(v.key)).map((v): [string, string] => [v.key, v.value]);
  return toEnv([...inherited, ...own.map((v): [string, string] => [v.key, v.value])]);
}

export interface CommonContainerInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: string[];
  binds: string[];
  privileged: boolean;
  network: string;
  networkAliases: string[];
  /** Image ENTRYPOINT override; undefined keeps the image's own (the docker image's sets DOCKER_HOST). */
  entrypoint?: string[];
  user?: string;
  platform?: string;
}

export interface BuildContainerInput extends CommonContainerInput {
  cmd: string[];
  hostname: string;
  workingDir?: string;
}

export interface ServiceContainerInput extends CommonContainerInput {
  /** Overrides the image CMD (e.g. dind's `--registry-mirror URL`). */
  cmd?: string[];
}

function hostConfig(input: CommonContainerInput): Docker.HostConfig {
  return {
    Binds: input.binds,
    Privileged: input.privileged,
    NetworkMode: input.network,
    RestartPolicy: { Name: 'no' },
    // Anonymous volumes (dind's VOLUME /var/lib/docker) go with the container.
    AutoRemove: false,
  };
}

function networking(input: CommonContainerInput): Docker.ContainerCreateOptions['NetworkingConfig'] {
  // Docker refuses aliases on its default bridge: a job without services has none.
  return input.networkAliases.length > 0 ? { EndpointsConfig: { [input.network]: { Aliases: input.networkAliases } } } : {};
}

function common(input: CommonContainerInput): Docker.ContainerCreateOptions {
  return {
    name: input.name,
    Image: input.image,
    Labels: input.labels,
    Env: input.env,
    ...(input.entrypoint !== undefined ? { Entrypoint: input.entrypoint } : {}),
    ...(input.user ? { User: input.user } : {}),
    ...(input.platform ? { platform: input.platform } : {}),
    HostConfig: hostConfig(input),
    NetworkingConfig: networking(input),
  };
}

/** The job container: stdin open once per start so each stage's script can be written to it. */
export function buildContainerOptions(input: BuildContainerInput): Docker.ContainerCreateOptions {
  return {
    ...common(input),
    Hostname: input.hostname,
    Cmd: input.cmd,
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    ...(input.workingDir ? { WorkingDir: input.workingDir } : {}),
  };
}

export function serviceContainerOptions(input: ServiceContainerInput): Docker.ContainerCreateOptions {
  return { ...common(input), ...(input.cmd !== undefined ? { Cmd: input.cmd } : {}) };
}

/** Ports to probe: HEALTHCHECK_TCP_PORT (any case) wins, else the image's exposed TCP ports, first 20. */
export function portsToProbe(env: readonly string[], exposedTcpPorts: readonly number[]): { ports: number[]; from: string } {
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq > 0 && entry.slice(0, eq).toUpperCase() === 'HEALTHCHECK_TCP_PORT') {
      const port = Number.parseInt(entry.slice(eq + 1), 10);
      if (Number.isInteger(port) && port > 0 && port < 65536) return { ports: [port], from: 'HEALTHCHECK_TCP_PORT' };
    }
  }
  return { ports: [...exposedTcpPorts].sort((a, b) => a - b).slice(0, 20), from: 'exposed ports' };
}

/**
 * Binds that make the job's checkout visible at the same paths in the job and every service.
 * When the host layout mirrors the container one (`<host builds>/<project path>` and its `.tmp`),
 * the whole host builds dir is bound at /builds, like GitLab's builds volume: a service started
 * before get_sources then still sees the checkout even when get_sources replaced the project
 * directory (a bind of the directory itself would keep pointing at the removed one).
 */
export function buildsBinds(host: { hostProjectDir: string; hostTmpDir: string; projectPath: string }, paths: { buildsDir: string; projectDir: string; tmpDir: string }): string[] {
  const project = host.hostProjectDir.replace(/\/+$/, '');
  const suffix = `/${host.projectPath.replace(/^\/+|\/+$/g, '')}`;
  if (project.endsWith(suffix) && host.hostTmpDir.replace(/\/+$/, '') === `${project}.tmp` && paths.projectDir === `${paths.buildsDir}${suffix}`) {
    const hostBuilds = project.slice(0, -suffix.length);
    if (hostBuilds !== '') return [`${hostBuilds}:${paths.buildsDir}`];
  }
  return [`${host.hostProjectDir}:${paths.projectDir}`, `${host.hostTmpDir}:${paths.tmpDir}`];
}
