// Everything the payload needs beyond the JobSpec: ids, git, timeout, dependencies and the final
// variable list (predefined → YAML → dotenv of dependencies → project → pipeline variables,
// expanded server-side like GitLab).
import type { JobVariable } from '../../pipeline/spec/job-spec.js';
import { resolveVariables, variablesAsWritten } from '../../pipeline/variables/resolve-variables.js';
import type { PayloadDependency, PayloadExtras } from '../../protocol/index.js';
import type { JobRecord, PipelineRecord, ProjectRecord, RunnerRecord } from '../store/store.js';
import { isProtectedRef } from './create-pipeline.js';
import { dependencyDotenvVariables } from './dotenv-report.js';
import { jobVariables, prePipelineVariables } from './predefined-variables.js';
import { pipelineVariableAsJobVariable, projectVariablesFor } from './project-variables.js';
import type { ServerContext } from './server-context.js';

export interface Assignment {
  project: ProjectRecord;
  pipeline: PipelineRecord;
  job: JobRecord;
  runner: RunnerRecord;
  token: string;
  startedAt: string;
}

/** GitLab's default clone depth for new projects. */
const DEFAULT_GIT_DEPTH = 20;

export async function buildPayloadExtras(ctx: ServerContext, a: Assignment, signal: AbortSignal): Promise<PayloadExtras> {
  const { project, pipeline, job, runner, token } = a;
  const refType = pipeline.tag ? 'tag' : 'branch';
  const protectedRef = isProtectedRef(project, pipeline.ref, refType);
  const commit = await ctx.repos.commitInfo(project.fullPath, pipeline.sha, signal);
  const user = job.userId !== null ? await ctx.store.userById(job.userId) : undefined;
  const predefined = [
    ...jobVariables(ctx.externalUrl, project, {
      jobId: job.id, jobName: job.name, stage: job.stage, token, pipelineId: pipeline.id, pipelineIid: pipeline.iid,
      pipelineCreatedAt: pipeline.createdAt, startedAt: a.startedAt, runnerId: runner.id, runnerDescription: runner.description,
      runnerTags: runner.tags, manual: job.spec.when === 'manual', user, registryHost: ctx.registryHost?.(),
    }),
    ...prePipelineVariables(ctx.externalUrl, project, {
      ref: pipeline.ref, refType, sha: pipeline.sha, beforeSha: pipeline.beforeSha, source: pipeline.source, protectedRef, commit,
    }),
  ];
  if (pipeline.name) predefined.push(plain('CI_PIPELINE_NAME', pipeline.name));
  const all: JobVariable[] = [
    ...predefined, ...variablesAsWritten(job.spec.variables), ...(await dependencyDotenvVariables(ctx, job)), ...(await projectVariablesFor(ctx.store, project.id, protectedRef)),
    ...(await ctx.store.pipelineVariables(pipeline.id)).map(pipelineVariableAsJobVariable),
  ];
  const resolved = resolveVariables(all);
  if (resolved.error) ctx.log.warn({ jobId: job.id, error: resolved.error }, 'job variables not expanded');

  const depthVar = [...resolved.variables].reverse().find((v) => v.key === 'GIT_DEPTH');
  const depth = depthVar && /^\d+$/.test(depthVar.value) ? Number(depthVar.value) : DEFAULT_GIT_DEPTH;
  const refspecs = [`+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`];
  if (depth > 0) {
    refspecs.push(refType === 'tag' ? `+refs/tags/${pipeline.ref}:refs/tags/${pipeline.ref}` : `+refs/heads/${pipeline.ref}:refs/remotes/origin/${pipeline.ref}`);
  } else {
    refspecs.push('+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  }
  const repoUrl = resolved.variables.find((v) => v.key === 'CI_REPOSITORY_URL')?.value ?? '';
  const wanted = job.spec.timeoutSeconds ?? ctx.defaultTimeoutSeconds;
  const timeoutSeconds = runner.maximumTimeout !== null ? Math.min(wanted, runner.maximumTimeout) : wanted;
  // GitLab's Ci::Build#credentials: the runner pulls image:/services: from the built-in registry
  // with the job token, so a private project's own images need no DOCKER_AUTH_CONFIG.
  const registryHost = ctx.registryHost?.();

  return {
    jobId: job.id,
    token,
    jobInfo: {
      pipeline_id: pipeline.id, project_id: project.id, project_name: project.name, project_full_path: project.fullPath,
      user_id: job.userId, time_in_queue_seconds: job.queuedAt ? (Date.parse(a.startedAt) - Date.parse(job.queuedAt)) / 1000 : 0,
    },
    git: {
      repo_url: repoUrl, ref: pipeline.ref, sha: pipeline.sha, before_sha: pipeline.beforeSha, ref_type: refType, refspecs,
      depth, repo_object_format: 'sha1', protected: protectedRef,
    },
    timeoutSeconds,
    variables: resolved.variables,
    dependencies: await dependencies(ctx, job, token),
    ...(registryHost ? { credentials: [{ type: 'registry', url: registryHost, username: 'gitlab-ci-token', password: token }] } : {}),
  };
}

async function dependencies(ctx: ServerContext, job: JobRecord, token: string): Promise<PayloadDependency[]> {
  if (job.spec.dependencies.length === 0) return [];
  const jobs = (await ctx.store.jobsOfPipeline(job.pipelineId)).filter((j) => !j.retried);
  const out: PayloadDependency[] = [];
  for (const name of job.spec.dependencies) {
    const dep = jobs.find((j) => j.name === name);
    if (!dep) continue;
    const archive = (await ctx.store.artifactsOfJob(dep.id)).find((a) => a.fileType === 'archive');
    const live = archive && (archive.expireAt === null || Date.parse(archive.expireAt) > Date.now());
    // artifacts_file only when there is an unexpired archive to download.
    out.push(live ? { id: dep.id, name: dep.name, token, artifacts_file: { filename: archive.filename, size: archive.size } } : { id: dep.id, name: dep.name, token });
  }
  return out;
}

function plain(key: string, value: string): JobVariable {
  return { key, value, public: true, masked: false, file: false, raw: false };
}
