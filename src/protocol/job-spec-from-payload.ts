// The job payload a runner received → the JobSpec the runtime runs. What the payload does not carry
// (stage order, needs, rules, retry, tags) takes neutral values: the coordinator already decided them.
// before_script arrives merged into the `script` step, exactly as GitLab sends it.
import type {
  ArtifactSpec, CacheSpec, ImageSpec, JobSpec, JobVariable, PullPolicy, ServiceSpec,
} from '../pipeline/spec/job-spec.js';
import type { JobPayload, PayloadArtifact, PayloadImage, PayloadService, PayloadVariable } from './job-payload.js';

export function jobSpecFromPayload(payload: JobPayload): JobSpec {
  const steps = payload.steps;
  const scriptStep = steps.find((s) => s.name === 'script');
  const afterStep = steps.find((s) => s.name === 'after_script');
  const variables = payload.variables.map(jobVariable);
  const spec: JobSpec = {
    name: payload.job_info.name,
    stage: payload.job_info.stage,
    stageIndex: 0,
    when: 'on_success',
    allowFailure: scriptStep?.allow_failure ?? false,
    services: (payload.services ?? []).map(serviceSpec),
    variables,
    hooks: { preGetSourcesScript: payload.hooks.find((h) => h.name === 'pre_get_sources_script')?.script ?? [] },
    beforeScript: [],
    script: scriptStep?.script ?? [],
    afterScript: afterStep?.script ?? [],
    needs: null,
    dependencies: (payload.dependencies ?? []).map((d) => d.name),
    cache: (payload.cache ?? []).map((c): CacheSpec => ({
      key: c.key, paths: c.paths, untracked: c.untracked, policy: c.policy, when: c.when, fallbackKeys: c.fallback_keys, unprotect: false,
    })),
    timeoutSeconds: payload.runner_info.timeout,
    retry: { max: 0, when: ['always'], exitCodes: [] },
    tags: [],
    interruptible: false,
  };
  if (payload.image) spec.image = imageSpec(payload.image);
  const artifacts = artifactSpec(payload.artifacts ?? []);
  if (artifacts) spec.artifacts = artifacts;
  const parallel = parallelOf(variables);
  if (parallel) spec.parallel = parallel;
  return spec;
}

function jobVariable(v: PayloadVariable): JobVariable {
  return { key: v.key, value: v.value, public: v.public, masked: v.masked, file: v.file ?? false, raw: v.raw ?? false };
}

function imageSpec(image: PayloadImage): ImageSpec {
  const out: ImageSpec = { name: image.name, pullPolicy: [...(image.pull_policy ?? [])] as PullPolicy[] };
  if (image.entrypoint) out.entrypoint = [...image.entrypoint];
  const docker = image.executor_opts?.docker;
  if (docker) out.docker = pick(docker, ['platform', 'user']);
  const kubernetes = image.executor_opts?.kubernetes;
  if (kubernetes) out.kubernetes = pick(kubernetes, ['user']);
  return out;
}

function serviceSpec(service: PayloadService): ServiceSpec {
  const out: ServiceSpec = {
    ...imageSpec(service),
    aliases: (service.alias ?? '').split(/[\s,]+/).filter((a) => a !== ''),
    variables: (service.variables ?? []).map((v) => ({ key: v.key, value: v.value, public: true, masked: false, file: false, raw: false })),
  };
  if (service.command) out.command = [...service.command];
  return out;
}

function artifactSpec(entries: readonly PayloadArtifact[]): ArtifactSpec | undefined {
  if (entries.length === 0) return undefined;
  const archive = entries.find((e) => e.artifact_type === 'archive');
  const reports: Record<string, string[]> = {};
  for (const e of entries) if (e.artifact_type !== 'archive') reports[e.artifact_type] = [...e.paths];
  const out: ArtifactSpec = {
    name: archive?.name ?? 'artifacts',
    paths: archive ? [...archive.paths] : [],
    exclude: [...(archive?.exclude ?? [])],
    untracked: archive?.untracked ?? false,
    when: archive?.when ?? 'on_success',
    reports,
  };
  const expireIn = (archive ?? entries[0])?.expire_in;
  if (expireIn) out.expireIn = expireIn;
  return out;
}

function parallelOf(vars: readonly JobVariable[]): JobSpec['parallel'] {
  let index: number | undefined;
  let total: number | undefined;
  for (const v of vars) {
    if (v.key === 'CI_NODE_INDEX') index = Number(v.value);
    if (v.key === 'CI_NODE_TOTAL') total = Number(v.value);
  }
  if (index === undefined || total === undefined || !Number.isInteger(index) || !Number.isInteger(total) || total < 2) return undefined;
  return { index, total };
}

function pick<T extends Record<string, unknown>, K extends string>(obj: T, keys: readonly K[]): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
