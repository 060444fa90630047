// A pushed ref (or an API/web request) → a stored pipeline: read the CI config at the commit with
// git, compile it, store the jobs as `created` and process them. A config error is stored as a
// failed pipeline with its yaml_errors, never lost.
import { NO_JOBS_MESSAGE } from '../../pipeline/compiler/compile-pipeline.js';
import { FILTERED_BY_WORKFLOW } from '../../pipeline/compiler/workflow.js';
import { compilePipelineFile, formatPipelineError, type CompileContext } from '../../pipeline/index.js';
import { ZERO_SHA } from '../git/git-repos.js';
import type { NewJob, PipelineRecord, PipelineVariable, ProjectRecord } from '../store/store.js';
import { pipelineVariableAsJobVariable } from './project-variables.js';
import { prePipelineVariables, type PipelineFacts } from './predefined-variables.js';
import { autoCancelMode, autoCancelRedundant, onJobFailureMode } from './auto-cancel.js';
import { processPipelineNow } from './pipeline-processor.js';
import { projectVariablesFor } from './project-variables.js';
import type { ServerContext } from './server-context.js';

export interface PipelineTrigger {
  ref: string;
  refType: 'branch' | 'tag';
  sha: string;
  beforeSha: string;
  source: 'push' | 'web' | 'api' | 'parent_pipeline' | 'pipeline';
  userId: number | null;
  /** Pipeline variables (API/web, or what a trigger job hands down), highest precedence. */
  variables?: readonly PipelineVariable[];
  /** A child pipeline's configuration (trigger:include) instead of the project's CI config file. */
  config?: { file: string; content?: string };
  /** A child pipeline: the trigger job that creates it. */
  parentJobId?: number;
}

export type CreatePipelineOutcome =
  | { created: true; pipeline: PipelineRecord }
  | { created: false; reason: string };

export async function createPipeline(ctx: ServerContext, project: ProjectRecord, t: PipelineTrigger, signal: AbortSignal): Promise<CreatePipelineOutcome> {
  const { repos } = ctx;
  const configFile = t.config?.file ?? project.ciConfigPath;
  const configText = t.config?.content ?? await repos.readFile(project.fullPath, t.sha, configFile, signal);
  if (configText === undefined) return { created: false, reason: `no ${configFile} at ${t.sha}` };

  const facts: PipelineFacts = {
    ref: t.ref, refType: t.refType, sha: t.sha, beforeSha: t.beforeSha, source: t.source,
    protectedRef: isProtectedRef(project, t.ref, t.refType), commit: await repos.commitInfo(project.fullPath, t.sha, signal),
  };
  const files = await repos.listFiles(project.fullPath, t.sha, signal);
  const changed = t.source === 'push' && t.beforeSha !== ZERO_SHA
    ? await repos.changedFiles(project.fullPath, t.beforeSha, t.sha, signal)
    : undefined;
  const projectVars = await projectVariablesFor(ctx.store, project.id, facts.protectedRef);
  const compileCtx: CompileContext = {
    ref: t.ref, refType: t.refType, source: t.source, sha: t.sha, defaultBranch: project.defaultBranch,
    variables: [...prePipelineVariables(ctx.externalUrl, project, facts), ...projectVars, ...(t.variables ?? []).map(pipelineVariableAsJobVariable)],
    repo: { listFiles: () => files, changedFiles: () => changed },
  };
  const result = await compilePipelineFile({
    projectDir: '/',
    file: configFile,
    content: configText,
    readFile: (rel) => repos.readFile(project.fullPath, t.sha, rel, signal),
    listFiles: () => files,
    signal,
  }, compileCtx);

  const base = {
    projectId: project.id, ref: t.ref, tag: t.refType === 'tag', sha: t.sha, beforeSha: t.beforeSha, source: t.source,
    userId: t.userId, ...(t.parentJobId !== undefined && { parentJobId: t.parentJobId }),
  };
  // workflow:rules or job rules that leave nothing to run create no pipeline (GitLab drops it silently
  // for pushes; API callers get the reason).
  const notCreated = result.errors.length > 0 && result.errors.every((e) => e.message === FILTERED_BY_WORKFLOW || e.message === NO_JOBS_MESSAGE);
  if (notCreated) return { created: false, reason: result.errors[0]?.message ?? FILTERED_BY_WORKFLOW };
  if (!result.valid) {
    const yamlErrors = result.errors.map((e) => (e.line > 0 ? formatPipelineError(e) : e.message)).join('\n');
    const pipeline = await ctx.store.createPipeline({ ...base, status: 'failed', yamlErrors, name: null }, [], t.variables);
    ctx.log.warn({ pipelineId: pipeline.id, project: project.fullPath, errors: yamlErrors }, 'pipeline config is invalid');
    return { created: true, pipeline };
  }
  if (!result.pipeline || result.pipeline.jobs.length === 0) {
    return { created: false, reason: result.warnings.join('; ') || 'workflow:rules or job rules created no jobs' };
  }
  const jobs: NewJob[] = result.pipeline.jobs.map((spec) => ({
    name: spec.name, stage: spec.stage, stageIndex: spec.stageIndex, status: 'created', spec, userId: t.userId,
  }));
  const created = await ctx.store.createPipeline({
    ...base, status: 'created', yamlErrors: null, name: result.pipeline.name ?? null,
    autoCancelOnJobFailure: onJobFailureMode(result.pipeline.autoCancel?.onJobFailure),
  }, jobs, t.variables);
  // Runners fetch the pipeline's exact commit through this ref (git_info.refspecs).
  await repos.updateRef(project.fullPath, `refs/pipelines/${created.id}`, t.sha, signal);
  await processPipelineNow(ctx, created.id);
  if (t.source === 'push') await autoCancelRedundant(ctx, created, autoCancelMode(result.pipeline.autoCancel?.onNewCommit));
  ctx.log.info({ pipelineId: created.id, project: project.fullPath, ref: t.ref, jobs: jobs.length }, 'pipeline created');
  return { created: true, pipeline: (await ctx.store.pipelineById(created.id)) ?? created };
}

/** Without protected-branch settings yet: the default branch is protected, as in a new GitLab project. */
export function isProtectedRef(project: ProjectRecord, ref: string, refType: 'branch' | 'tag'): boolean {
  return refType === 'branch' && ref === project.defaultBranch;
}
