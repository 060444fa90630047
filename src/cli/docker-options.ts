// `drydock run --executor docker` settings: the runner side of a job (what gitlab-runner reads from
// [runners.docker]), from a config.toml (--config, first [[runners]] with executor "docker" or
// --runner NAME) overlaid with flags named like gitlab-runner's register flags.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Executor } from '../executor/executor.js';
import type { DockerExecutorOptions } from '../executor/docker/docker-executor.js';
import type { PullPolicy } from '../pipeline/spec/job-spec.js';
import { parseEnvironmentEntry } from '../runner/config/environment-entry.js';
import type { RunnerEntry } from '../runner/config/schema.js';
import type { RunnerHooks } from '../runtime/types.js';

// Only the flags are defined at load time: `drydock run` always offers them, and a shell run must
// not pay for what a docker run needs (the config.toml schema, the TOML parser, the Docker SDK),
// which is loaded by the functions below when they are called.

const POLICIES: readonly PullPolicy[] = ['always', 'if-not-present', 'never'];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function policy(value: string, previous: PullPolicy[] = []): PullPolicy[] {
  if (!(POLICIES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${POLICIES.join(', ')}`);
  return [...previous, value as PullPolicy];
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -1) throw new InvalidArgumentError('expected seconds: -1 (no health check), 0 (default 30) or more');
  return n;
}

function envEntry(value: string, previous: string[] = []): string[] {
  const parsed = parseEnvironmentEntry(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return [...previous, value];
}

export function addDockerOptions(cmd: Command): Command {
  return cmd
    .option('--config <path>', 'gitlab-runner config.toml whose [runners.docker] settings the docker executor uses')
    .option('--runner <name>', 'with --config: the [[runners]] entry to use (default: the first with executor = "docker")')
    .option('--docker-host <url>', 'Docker engine (default: $DOCKER_HOST or the local socket)')
    .option('--docker-image <image>', 'image for jobs without image: ([runners.docker] image)')
    .option('--docker-privileged', 'run job and service containers privileged (needed for docker:dind)')
    .option('--docker-volumes <spec>', 'volume for job and service containers: /path, host:container[:ro] (repeatable)', collect)
    .option('--docker-pull-policy <policy>', 'always, if-not-present or never (repeatable; tried in order; default if-not-present)', policy)
    .option('--docker-services <image>', 'service started for every job ([[runners.docker.services]]) (repeatable)', collect)
    .option('--env <KEY=VALUE>', 'runner environment variable added to every job ([[runners]] environment) (repeatable)', envEntry)
    .addOption(new Option('--wait-for-services-timeout <seconds>', 'how long to wait for services (-1: do not wait)').argParser(seconds))
    .addOption(new Option('--docker-layer-cache [slots]', 'keep dind services\' /var/lib/docker between jobs: a volume per project and slot (B1)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a number of slots of at least 1');
      return n;
    }));
}

/** Thrown for a bad --config / --runner: a user error, shown without a stack. */
export class DockerOptionsError extends Error {
  override readonly name = 'DockerOptionsError';
}

async function runnerEntry(opts: Record<string, unknown>): Promise<{ entry: RunnerEntry; explicitPullPolicy: boolean } | undefined> {
  const path = typeof opts.config === 'string' ? opts.config : undefined;
  if (!path) return undefined;
  const [{ loadRunnerConfig }, { parse: parseToml }] = await Promise.all([import('../runner/config/load-runner-config.js'), import('smol-toml')]);
  let config;
  try {
    config = await loadRunnerConfig(path);
  } catch (err) {
    throw new DockerOptionsError(err instanceof Error ? err.message : String(err));
  }
  const name = typeof opts.runner === 'string' ? opts.runner : undefined;
  const entry = name ? config.runners.find((r) => r.name === name) : config.runners.find((r) => r.executor === 'docker');
  if (!entry) {
    const names = config.runners.map((r) => `"${r.name}" (${r.executor || 'no executor'})`).join(', ') || 'none';
    throw new DockerOptionsError(name ? `${path}: no [[runners]] entry named "${name}"; entries: ${names}` : `${path}: no [[runners]] entry with executor = "docker"; entries: ${names}`);
  }
  // The schema fills pull_policy with gitlab-runner's default (always); a local run only honours
  // an explicit one, so offline machines keep working with images they already have.
  const raw = parseToml(await readFile(path, 'utf8')) as { runners?: Array<{ name?: string; executor?: string; docker?: Record<string, unknown> }> };
  const rawEntry = raw.runners?.find((r) => (name ? r.name === name : r.executor === 'docker'));
  return { entry, explicitPullPolicy: rawEntry?.docker?.pull_policy !== undefined };
}

/**
 * What run-command takes from the [[runners]] entry besides the executor settings: `environment`
 * plus --env (KEY/VALUE pairs added to every job's variables) and the pre/post scripts.
 */
export async function runnerSettingsFromOptions(opts: Record<string, unknown>): Promise<{ environment: Array<{ key: string; value: string }>; hooks: RunnerHooks }> {
  const found = await runnerEntry(opts);
  const { runnerHooks } = await import('../runner/config/runner-hooks.js');
  return { environment: environmentOf(found, opts), hooks: found ? runnerHooks(found.entry) : {} };
}

function environmentOf(found: { entry: RunnerEntry } | undefined, opts: Record<string, unknown>): Array<{ key: string; value: string }> {
  const entries = [...(found?.entry.environment ?? []), ...((opts.env as string[] | undefined) ?? [])];
  return entries.flatMap((e) => {
    const parsed = parseEnvironmentEntry(e);
    return 'error' in parsed ? [] : [parsed];
  });
}

/** The DockerExecutor options for a local run: config.toml first, flags over it. */
export async function dockerExecutorOptionsFrom(opts: Record<string, unknown>): Promise<DockerExecutorOptions> {
  const [found, { dockerSettingsFromConfig, DockerSettingsError }] = await Promise.all([runnerEntry(opts), import('./docker-settings-from-config.js')]);
  const d = found?.entry.docker;
  let config;
  try {
    config = dockerSettingsFromConfig(d, found?.explicitPullPolicy ?? false);
  } catch (err) {
    throw err instanceof DockerSettingsError ? new DockerOptionsError(err.message) : err;
  }
  const flagServices = ((opts.dockerServices as string[] | undefined) ?? []).map((name) => ({ name, aliases: [], variables: [] }));
  const flagPolicies = opts.dockerPullPolicy as PullPolicy[] | undefined;
  const host = opts.dockerHost as string | undefined;
  const image = opts.dockerImage as string | undefined;
  const layer = opts.dockerLayerCache;
  const wait = opts.waitForServicesTimeout as number | undefined;
  // The same entry as above: config.toml is read once here.
  const environment = environmentOf(found, opts);
  return {
    ...config,
    ...(environment.length > 0 ? { environment } : {}),
    ...(host ? { connection: { ...config.connection, host, tlsVerify: config.connection?.tlsVerify ?? false } } : {}),
    ...(image ? { defaultImage: image } : {}),
    privileged: opts.dockerPrivileged === true || config.privileged === true,
    volumes: [...(config.volumes ?? []), ...((opts.dockerVolumes as string[] | undefined) ?? [])],
    ...(flagPolicies ? { pullPolicy: flagPolicies } : {}),
    defaultPullPolicy: ['if-not-present'],
    services: [...(config.services ?? []), ...flagServices],
    ...(wait !== undefined ? { waitForServicesTimeout: wait } : {}),
    ...(layer !== undefined && layer !== false ? { layerCache: { slots: typeof layer === 'number' ? layer : 4 } } : {}),
    runnerShort: 'local',
  };
}

export async function createDockerExecutorFromOptions(opts: Record<string, unknown>): Promise<Executor> {
  const [{ DockerExecutor }, options] = await Promise.all([import('../executor/docker/docker-executor.js'), dockerExecutorOptionsFrom(opts)]);
  return new DockerExecutor(options);
}
