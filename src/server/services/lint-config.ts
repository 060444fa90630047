// CI Lint (server facts §6): static validation of a configuration in a project's context, or a
// dry run that creates the pipeline for a ref without storing it (rules and workflow evaluated).
import { compilePipelineFile, FILTERED_BY_WORKFLOW, NO_JOBS_MESSAGE, toCiLintResponse, type CiLintJob, type CiLintResponse, type PipelineResult } from '../../pipeline/index.js';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { ProjectRecord } from '../store/store.js';
import { isProtectedRef } from './create-pipeline.js';
import { prePipelineVariables } from './predefined-variables.js';
import { projectVariablesFor } from './project-variables.js';
import type { ServerContext } from './server-context.js';

export interface LintRequest {
  content: string;
  /** Simulate creating a pipeline for `ref` (default: the default branch). */
  dryRun: boolean;
  ref?: string;
  /** Commit whose files `include:local` reads in static mode (default: the default branch). */
  contentRef?: string;
}

/** A dry run's job: what the pipeline would run, without only/except/needs. */
export type DryRunJob = Omit<CiLintJob, 'only' | 'except' | 'needs'>;
export type LintResponse = Omit<CiLintResponse, 'jobs'> & { jobs: Array<CiLintJob | DryRunJob> };

export async function lintConfig(ctx: ServerContext, project: ProjectRecord, req: LintRequest): Promise<LintResponse> {
  const { repos, signal } = ctx;
  const refs = await repos.refs(project.fullPath, signal);
  const ref = req.ref ?? project.defaultBranch;
  const branchSha = refs.get(`refs/heads/${ref}`);
  const tagSha = refs.get(`refs/tags/${ref}`);
  const refSha = branchSha ?? tagSha;
  const refType = branchSha || !tagSha ? 'branch' : 'tag';
  const readAt = req.dryRun ? refSha : req.contentRef ?? refs.get(`refs/heads/${project.defaultBranch}`);
  if (req.dryRun && !refSha) {
    return { valid: false, errors: [`Reference not found: ${ref}`], warnings: [], merged_yaml: null, includes: [], jobs: [] };
  }
  const files = readAt ? await repos.listFiles(project.fullPath, readAt, signal) : [];
  const protectedRef = isProtectedRef(project, ref, refType);
  const variables = req.dryRun && refSha ? [
    ...prePipelineVariables(ctx.externalUrl, project, {
      ref, refType, sha: refSha, beforeSha: '0'.repeat(40), source: 'push', protectedRef,
      commit: await repos.commitInfo(project.fullPath, refSha, signal),
    }),
    ...(await projectVariablesFor(ctx.store, project.id, protectedRef)),
  ] : [];
  const result = await compilePipelineFile({
    projectDir: '/', file: project.ciConfigPath, content: req.content,
    readFile: (rel) => (readAt ? repos.readFile(project.fullPath, readAt, rel, signal) : Promise.resolve(undefined)),
    listFiles: () => files,
    signal,
  }, {
    ref, refType, source: 'push', sha: refSha ?? '0'.repeat(40), defaultBranch: project.defaultBranch, variables,
    repo: { listFiles: () => files, changedFiles: () => undefined },
  });
  if (!req.dryRun) return toCiLintResponse(staticLintResult(result));
  const { jobs: _static, ...response } = toCiLintResponse(result);
  void _static;
  // Dry run: only the jobs the pipeline would have, without only/except/needs (as GitLab).
  return { ...response, jobs: (result.pipeline?.jobs ?? []).map(dryRunJob) };
}

/**
 * Static lint validates the configuration; whether workflow or job rules let a pipeline run for a
 * given ref is not a configuration error (GitLab's static lint does not evaluate them either).
 */
export function staticLintResult(result: PipelineResult): PipelineResult {
  const filteredOnly = result.errors.length > 0 && result.config !== undefined
    && result.errors.every((e) => e.message === FILTERED_BY_WORKFLOW || e.message === NO_JOBS_MESSAGE);
  return filteredOnly ? { ...result, valid: true, errors: [] } : result;
}

function dryRunJob(j: JobSpec): DryRunJob {
  return {
    name: j.name, stage: j.stage, before_script: j.beforeScript, script: j.script, after_script: j.afterScript, tag_list: j.tags,
    environment: j.environment?.name ?? null, when: j.when, allow_failure: j.allowFailure === true,
  };
}
