// JobSpec + what only a coordinator knows (ids, token, git, final variable list) → the job payload
// GitLab sends a runner (server facts §1.7). Pure: the server resolves variables before calling it.
import type { ArtifactSpec, ImageSpec, JobSpec, JobVariable, ServiceSpec } from '../pipeline/spec/job-spec.js';
import { FAILURE_REASONS } from './failure-reasons.js';
import type {
  GitInfo, JobInfo, JobPayload, PayloadArtifact, PayloadCache, PayloadCredential, PayloadDependency, PayloadImage,
  PayloadService, PayloadStep, PayloadVariable,
} from './job-payload.js';

/** job_info fields beyond id, name and stage. */
export interface JobInfoExtras {
  pipeline_id: number;
  project_id: number;
  project_name: string;
  project_full_path?: string;
  namespace_id?: number;
  root_namespace_id?: number;
  user_id?: number | null;
  time_in_queue_seconds?: number;
}

export interface PayloadExtras {
  jobId: number;
  token: string;
  jobInfo: JobInfoExtras;
  git: GitInfo;
  /** Effective timeout (job/project timeout capped by the runner's maximum_timeout), seconds. */
  timeoutSeconds: number;
  /** The complete ordered variable list (predefined, YAML, project...); default: the spec's own. */
  variables?: readonly JobVariable[];
  credentials?: PayloadCredential[];
  dependencies?: PayloadDependency[];
  allowGitFetch?: boolean;
}

export function jobPayloadFromSpec(spec: JobSpec, extras: PayloadExtras): JobPayload {
  const timeout = extras.timeoutSeconds;
  const steps: PayloadStep[] = [
    {
      name: 'script',
      script: [...spec.beforeScript, ...spec.script],
      timeout,
      when: 'on_success',
      allow_failure: spec.allowFailure === true,
    },
  ];
  if (spec.afterScript.length > 0) {
    steps.push({ name: 'after_script', script: [...spec.afterScript], timeout, when: 'always', allow_failure: true });
  }
  return {
    id: extras.jobId,
    token: extras.token,
    allow_git_fetch: extras.allowGitFetch ?? true,
    job_info: { id: extras.jobId, name: spec.name, stage: spec.stage, ...extras.jobInfo } satisfies JobInfo,
    git_info: extras.git,
    runner_info: { timeout, runner_session_url: null },
    variables: (extras.variables ?? spec.variables).map(payloadVariable),
    steps,
    hooks: spec.hooks.preGetSourcesScript.length > 0
      ? [{ name: 'pre_get_sources_script', script: [...spec.hooks.preGetSourcesScript] }]
      : [],
    image: spec.image ? payloadImage(spec.image) : null,
    services: spec.services.map(payloadService),
    artifacts: spec.artifacts ? payloadArtifacts(spec.artifacts) : [],
    cache: spec.cache.map((c): PayloadCache => ({
      key: c.key, untracked: c.untracked, paths: [...c.paths], policy: c.policy, when: c.when, fallback_keys: [...c.fallbackKeys],
    })),
    credentials: extras.credentials ?? [],
    features: { trace_sections: true, failure_reasons: [...FAILURE_REASONS] },
    dependencies: extras.dependencies ?? [],
  };
}

/** `file` and `raw` appear only when true, as GitLab serialises them. */
export function payloadVariable(v: JobVariable): PayloadVariable {
  const out: PayloadVariable = { key: v.key, value: v.value, public: v.public, masked: v.masked };
  if (v.file) out.file = true;
  if (v.raw) out.raw = true;
  return out;
}

function payloadImage(image: ImageSpec): PayloadImage {
  const opts: NonNullable<PayloadImage['executor_opts']> = {};
  if (image.docker) opts.docker = { ...image.docker };
  if (image.kubernetes) opts.kubernetes = { ...image.kubernetes };
  return {
    name: image.name,
    entrypoint: image.entrypoint ? [...image.entrypoint] : null,
    ports: [],
    executor_opts: opts,
    pull_policy: image.pullPolicy.length > 0 ? [...image.pullPolicy] : null,
  };
}

function payloadService(service: ServiceSpec): PayloadService {
  return {
    ...payloadImage(service),
    alias: service.aliases.length > 0 ? service.aliases.join(',') : null,
    command: service.command ? [...service.command] : null,
    variables: service.variables.map((v) => ({ key: v.key, value: v.value })),
  };
}

// Report types whose default file name and format GitLab fixes (Ci::JobArtifact).
const REPORT_FILES: Record<string, { name: string; format: string }> = {
  junit: { name: 'junit.xml', format: 'gzip' },
  dotenv: { name: '.env', format: 'gzip' },
  cobertura: { name: 'cobertura-coverage.xml', format: 'gzip' },
  jacoco: { name: 'jacoco.xml', format: 'gzip' },
  metrics: { name: 'metrics.txt', format: 'gzip' },
  cyclonedx: { name: 'gl-sbom.cdx.json', format: 'gzip' },
  annotations: { name: 'gl-annotations.json', format: 'gzip' },
  lsif: { name: 'lsif.json', format: 'zip' },
  scip: { name: 'scip.zip', format: 'zip' },
  codequality: { name: 'gl-code-quality-report.json', format: 'raw' },
  sast: { name: 'gl-sast-report.json', format: 'raw' },
  terraform: { name: 'tfplan.json', format: 'raw' },
};

function payloadArtifacts(a: ArtifactSpec): PayloadArtifact[] {
  const out: PayloadArtifact[] = [];
  if (a.paths.length > 0 || a.untracked) {
    const archive: PayloadArtifact = {
      name: a.name, untracked: a.untracked, paths: [...a.paths], when: a.when, expire_in: a.expireIn ?? null,
      artifact_type: 'archive', artifact_format: 'zip',
    };
    if (a.exclude.length > 0) archive.exclude = [...a.exclude];
    out.push(archive);
  }
  for (const [type, paths] of Object.entries(a.reports)) {
    const artifactType = type === 'coverage_report' ? 'cobertura' : type;
    const known = REPORT_FILES[artifactType];
    out.push({
      name: known?.name ?? artifactType, untracked: false, paths: [...paths], when: 'always', expire_in: a.expireIn ?? null,
      artifact_type: artifactType, artifact_format: known?.format ?? 'raw',
    });
  }
  return out;
}
