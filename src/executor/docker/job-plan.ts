// Everything about a job that can be decided without the engine: which image, which services
// with which aliases, which volumes, which pull policies. Bad input fails here, before any
// container exists, with runner_configuration_error and a message naming the entry.
import type { ExecutorJob, JobPaths } from '../executor.js';
import { ExecutorError } from '../executor.js';
import type { JobVariable, PullPolicy } from '../../pipeline/spec/job-spec.js';
import type { DockerExecutorOptions } from './docker-executor-options.js';
import { effectivePullPolicies } from './image-puller.js';
import { aliasProblem, assignServiceAliases } from './service-aliases.js';
import { parseVolumeSpecs, VolumeSpecError, type VolumeSpec } from './volumes.js';

export interface PlannedService {
  index: number;
  image: string;
  aliases: string[];
  command?: string[];
  entrypoint?: string[];
  variables: JobVariable[];
  policies: PullPolicy[];
  platform?: string;
}

export interface JobPlan {
  image: string;
  entrypoint?: string[];
  policies: PullPolicy[];
  platform?: string;
  user?: string;
  services: PlannedService[];
  volumes: VolumeSpec[];
  /** undefined: no health check. */
  waitTimeoutMs?: number;
  warnings: string[];
}

const configError = (message: string) => new ExecutorError(message, 'runner_configuration_error');

export function planJob(job: Pick<ExecutorJob, 'spec'>, paths: JobPaths, opts: DockerExecutorOptions): JobPlan {
  const spec = job.spec;
  const image = spec.image?.name?.trim() || opts.defaultImage?.trim();
  if (!image) throw configError('no Docker image specified to run the build in: set image: in .gitlab-ci.yml or --docker-image / [runners.docker] image');
  const runnerPolicies = opts.pullPolicy ?? [];
  const allowed = opts.allowedPullPolicies ?? [];
  const fallback = opts.defaultPullPolicy ?? ['always'];

  let volumes: VolumeSpec[];
  try {
    volumes = parseVolumeSpecs(opts.volumes ?? [], paths.projectDir);
  } catch (err) {
    if (err instanceof VolumeSpecError) throw configError(`[runners.docker] volumes: ${err.message}`);
    throw err;
  }

  const requested = [
    ...(opts.services ?? []).map((s) => ({
      image: s.name, userAliases: s.aliases, command: s.command, entrypoint: s.entrypoint, pullPolicy: [] as PullPolicy[], platform: undefined as string | undefined,
      variables: s.variables.map((v): JobVariable => ({ key: v.key, value: v.value, public: true, masked: false, file: false, raw: false })),
      where: '[[runners.docker.services]]',
    })),
    ...spec.services.map((s) => ({
      image: s.name, userAliases: s.aliases, command: s.command, entrypoint: s.entrypoint, pullPolicy: s.pullPolicy, platform: s.docker?.platform, variables: s.variables, where: 'services',
    })),
  ];
  requested.forEach((s, i) => {
    if (!s.image.trim()) throw configError(`services[${i}] has no image name`);
    for (const alias of s.userAliases) {
      const problem = aliasProblem(alias);
      if (problem) throw configError(`${s.where}: service "${s.image}" (services[${i}]): ${problem}`);
    }
  });
  const assigned = assignServiceAliases(requested.map((s) => ({ image: s.image, userAliases: s.userAliases })));
  const warnings = assigned.flatMap((a) => a.warnings);
  const services: PlannedService[] = [];
  requested.forEach((s, index) => {
    const aliases = assigned[index]?.aliases ?? [];
    if (aliases.length === 0) return;
    services.push({
      index, image: s.image.trim(), aliases, variables: s.variables,
      policies: effectivePullPolicies(s.pullPolicy, runnerPolicies, allowed, fallback),
      ...(s.command && s.command.length > 0 ? { command: s.command } : {}),
      ...(s.entrypoint && s.entrypoint.length > 0 ? { entrypoint: s.entrypoint } : {}),
      ...(s.platform ? { platform: s.platform } : {}),
    });
  });

  const timeout = opts.waitForServicesTimeout ?? 30;
  const entrypoint = opts.disableEntrypointOverwrite ? undefined : spec.image?.entrypoint;
  const user = opts.user ?? spec.image?.docker?.user;
  const platform = spec.image?.docker?.platform;
  return {
    image,
    policies: effectivePullPolicies(spec.image?.pullPolicy ?? [], runnerPolicies, allowed, fallback),
    services,
    volumes,
    warnings,
    ...(timeout === -1 ? {} : { waitTimeoutMs: (timeout === 0 ? 30 : timeout) * 1000 }),
    ...(entrypoint ? { entrypoint } : {}),
    ...(user ? { user } : {}),
    ...(platform ? { platform } : {}),
  };
}
