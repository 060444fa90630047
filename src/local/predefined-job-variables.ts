// Predefined variables that a local run adds per job: what GitLab sets at job creation and when a
// runner picks the job (CI_JOB_*, CI_PIPELINE_ID...), and what the runner itself sets
// (CI_PROJECT_DIR, CI_BUILDS_DIR, CI_CONCURRENT_ID...). Pre-pipeline ones come from the compile context.
import type { JobPaths } from '../executor/executor.js';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import { slugify } from './slug.js';

export interface Var { key: string; value: string; masked?: boolean; file?: boolean; raw?: boolean }

export interface PipelineFacts {
  pipelineId: number;
  createdAt: Date;
  pipelineName?: string;
}

export interface JobFacts {
  jobId: number;
  startedAt: Date;
  /** The job was a manual job played with --manual. */
  playedManually: boolean;
  timeoutSeconds: number;
}

export interface RunnerFacts {
  paths: JobPaths;
  concurrentId: number;
  executorName: string;
  version: string;
}

/** Pipeline- and job-level variables GitLab would send for this job (lowest precedence group). */
export function jobPredefinedVariables(spec: JobSpec, pipeline: PipelineFacts, job: JobFacts): Var[] {
  const vars: Var[] = [
    { key: 'CI_PIPELINE_ID', value: String(pipeline.pipelineId) },
    { key: 'CI_PIPELINE_IID', value: String(pipeline.pipelineId) },
    { key: 'CI_PIPELINE_CREATED_AT', value: isoSeconds(pipeline.createdAt) },
    { key: 'CI_JOB_ID', value: String(job.jobId) },
    { key: 'CI_JOB_NAME', value: spec.name },
    { key: 'CI_JOB_NAME_SLUG', value: slugify(spec.name) },
    { key: 'CI_JOB_STAGE', value: spec.stage },
    { key: 'CI_JOB_STARTED_AT', value: isoSeconds(job.startedAt) },
    { key: 'CI_NODE_TOTAL', value: String(spec.parallel?.total ?? 1) },
  ];
  if (pipeline.pipelineName !== undefined) vars.push({ key: 'CI_PIPELINE_NAME', value: pipeline.pipelineName });
  if (job.playedManually) vars.push({ key: 'CI_JOB_MANUAL', value: 'true' });
  if (spec.parallel !== undefined) vars.push({ key: 'CI_NODE_INDEX', value: String(spec.parallel.index) });
  if (spec.image !== undefined) vars.push({ key: 'CI_JOB_IMAGE', value: spec.image.name });
  const env = spec.environment;
  if (env !== undefined) {
    vars.push({ key: 'CI_ENVIRONMENT_NAME', value: env.name });
    vars.push({ key: 'CI_ENVIRONMENT_SLUG', value: environmentSlug(env.name) });
    vars.push({ key: 'CI_ENVIRONMENT_ACTION', value: env.action });
    if (env.url !== undefined) vars.push({ key: 'CI_ENVIRONMENT_URL', value: env.url });
    vars.push({ key: 'CI_ENVIRONMENT_TIER', value: env.deploymentTier ?? guessTier(env.name) });
  }
  return vars;
}

/** Variables the runner sets; they win over everything (a job cannot move its own project dir).
 * The runtime adds RUNNER_TEMP_PROJECT_DIR and CI_JOB_STATUS itself. */
export function runnerVariables(spec: JobSpec, runner: RunnerFacts, job: JobFacts): Var[] {
  const disposable = runner.executorName !== 'shell';
  return [
    { key: 'CI_SERVER', value: 'yes' },
    { key: disposable ? 'CI_DISPOSABLE_ENVIRONMENT' : 'CI_SHARED_ENVIRONMENT', value: 'true' },
    { key: 'CI_RUNNER_VERSION', value: runner.version },
    { key: 'CI_RUNNER_REVISION', value: 'drydock' },
    { key: 'CI_RUNNER_SHORT_TOKEN', value: 'local' },
    { key: 'CI_RUNNER_EXECUTABLE_ARCH', value: `${process.platform}/${goArch(process.arch)}` },
    { key: 'CI_BUILDS_DIR', value: runner.paths.buildsDir },
    { key: 'CI_PROJECT_DIR', value: runner.paths.projectDir },
    { key: 'CI_CONCURRENT_ID', value: String(runner.concurrentId) },
    { key: 'CI_CONCURRENT_PROJECT_ID', value: String(runner.concurrentId) },
    { key: 'CI_JOB_TIMEOUT', value: String(job.timeoutSeconds) },
    ...(spec.image !== undefined ? [{ key: 'CI_JOB_IMAGE', value: spec.image.name }] : []),
  ];
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** CI_ENVIRONMENT_SLUG: DNS-safe, at most 24 characters (GitLab adds a random suffix when it truncates). */
export function environmentSlug(name: string): string {
  let slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-').replace(/^-+|-+$/g, '').replace(/-{2,}/g, '-');
  if (!/^[a-z]/.test(slug)) slug = `env-${slug}`;
  return slug.length > 24 ? `${slug.slice(0, 17)}-${hash6(name)}` : slug;
}

function hash6(s: string): string {
  let h = 0;
  for (const ch of s) h = (h * 33 + ch.codePointAt(0)!) >>> 0;
  return h.toString(36).padStart(6, '0').slice(0, 6);
}

/** GitLab's guess of deployment_tier from the environment name. */
function guessTier(name: string): string {
  const n = name.toLowerCase();
  if (/(^|[^a-z])(prod|production|live)([^a-z]|$)/.test(n)) return 'production';
  if (/(stag|model|pre|demo)/.test(n)) return 'staging';
  if (/(test|qc)/.test(n)) return 'testing';
  if (/(dev|review|trunk)/.test(n)) return 'development';
  return 'other';
}

function goArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}
