// The one entry point to the pipeline domain: .gitlab-ci.yml → load → validate → compile.
// Used by `drydock lint`, `drydock run`, the fixture tests and the server.
import { stringify } from 'yaml';
import type { CompileContext } from './compiler/context.js';
import { compilePipeline } from './compiler/compile-pipeline.js';
import { jobInstances } from './model/logical-checks.js';
import type { PipelineConfig } from './model/pipeline-config.js';
import { validateConfig } from './model/validate-config.js';
import { effectiveOnly } from './compiler/job-decision.js';
import { createExpressionCache } from './rules/expression.js';
import type { Pipeline } from './spec/job-spec.js';
import type { PipelineError } from './errors.js';
import { loadConfig, type LoadConfigOptions } from './yaml/load-config.js';

export type { CompileContext, PipelineSource, RepoView } from './compiler/context.js';
export type { JobSpec, Pipeline } from './spec/job-spec.js';
export type { PipelineError } from './errors.js';
export type { LoadConfigOptions } from './yaml/load-config.js';
export type { PipelineConfig, JobConfig } from './model/pipeline-config.js';
export { formatPipelineError } from './errors.js';
/** The two errors that mean "valid configuration, but no pipeline for this context". */
export { NO_JOBS_MESSAGE } from './compiler/compile-pipeline.js';
export { FILTERED_BY_WORKFLOW } from './compiler/workflow.js';

export interface PipelineResult {
  /** No errors: the configuration is valid and creates a pipeline for this context. */
  valid: boolean;
  errors: PipelineError[];
  warnings: string[];
  /** The configuration after includes/extends/!reference, as YAML. */
  mergedYaml?: string;
  /** Absent when invalid; "no pipeline" (workflow:rules, rules that keep no job) is an error. */
  pipeline?: Pipeline;
  /** The validated configuration (static view, before rules), when valid. */
  config?: PipelineConfig;
  /** Included files in load order. */
  includes: string[];
}

export async function compilePipelineFile(options: LoadConfigOptions, ctx: CompileContext): Promise<PipelineResult> {
  const file = options.file ?? '.gitlab-ci.yml';
  let loaded;
  try {
    loaded = await loadConfig({
      ...options,
      listFiles: options.listFiles ?? (() => ctx.repo.listFiles()),
      changedFiles: options.changedFiles ?? (() => ctx.repo.changedFiles()),
      variables: options.variables ?? ctx.variables,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { valid: false, errors: [{ file, line: 0, column: 0, path: [], message }], warnings: [], includes: [] };
  }
  const data = loaded.data;
  let merged: string | undefined;
  // Dumping 2,000 jobs back to YAML costs more than compiling them: only when someone reads it.
  const base = {
    includes: loaded.includedFiles,
    get mergedYaml(): string {
      merged ??= stringify(data);
      return merged;
    },
  };
  if (loaded.errors.length > 0) return withBase({ valid: false, errors: loaded.errors, warnings: [] }, base);

  const expressions = createExpressionCache();
  const validation = validateConfig({ data: loaded.data, positionOf: (p) => loaded.sourceMap.positionOf(p), file }, expressions);
  if (!validation.config) return withBase({ valid: false, errors: validation.errors, warnings: validation.warnings }, base);

  const compiled = compilePipeline(validation.config, ctx, expressions);
  const warnings = [...validation.warnings, ...compiled.warnings];
  const result = withBase({ valid: compiled.errors.length === 0, errors: compiled.errors, warnings, config: validation.config }, base);
  if (compiled.pipeline) result.pipeline = compiled.pipeline;
  return result;
}

/** Copies the lazy `mergedYaml` getter (object spread would evaluate it). */
function withBase(result: Omit<PipelineResult, 'includes' | 'mergedYaml'>, base: Pick<PipelineResult, 'includes' | 'mergedYaml'>): PipelineResult {
  const out = result as PipelineResult;
  out.includes = base.includes;
  const descriptor = Object.getOwnPropertyDescriptor(base, 'mergedYaml');
  if (descriptor) Object.defineProperty(out, 'mergedYaml', { ...descriptor, enumerable: true });
  return out;
}

export interface CiLintJob {
  name: string;
  stage: string;
  before_script: string[];
  script: string[];
  after_script: string[];
  tag_list: string[];
  environment: string | null;
  when: string;
  allow_failure: boolean;
  only: Record<string, unknown> | null;
  except: Record<string, unknown> | null;
  needs: Array<{ name: string; artifacts: boolean; optional: boolean }> | null;
}

export interface CiLintResponse {
  valid: boolean;
  errors: string[];
  warnings: string[];
  merged_yaml: string | null;
  includes: Array<{ type: string; location: string }>;
  jobs: CiLintJob[];
}

/** GitLab's CI Lint API response (POST /projects/:id/ci/lint with include_jobs). */
export function toCiLintResponse(result: PipelineResult): CiLintResponse {
  return {
    valid: result.valid,
    // GitLab's bare messages (positions are in PipelineResult.errors).
    errors: result.errors.map((e) => e.message),
    warnings: result.warnings,
    merged_yaml: result.mergedYaml ?? null,
    includes: result.includes.map((location) => ({ type: 'local', location })),
    // GitLab lists jobs only for a valid result (a pipeline filtered out by rules has none).
    jobs: result.valid && result.config ? lintJobs(result.config) : [],
  };
}

/** The static job list (all jobs, before rules), grouped by stage like GitLab's lint. */
function lintJobs(config: PipelineConfig): CiLintJob[] {
  const workflowHasRules = config.workflow.rules !== undefined;
  const out: CiLintJob[] = [];
  for (const stage of config.stages) {
    for (const job of config.jobs) {
      if (job.stage !== stage) continue;
      const when = job.when ?? 'on_success';
      const allowFailure = job.allowFailure === undefined ? when === 'manual' : job.allowFailure === true;
      const only = effectiveOnly(job, workflowHasRules);
      for (const instance of jobInstances(job)) {
        out.push({
          name: instance.name,
          stage,
          before_script: [...job.beforeScript],
          script: [...job.script],
          after_script: [...job.afterScript],
          tag_list: [...job.tags],
          environment: job.environment?.name ?? null,
          when,
          allow_failure: allowFailure,
          only: only ? { ...only } : null,
          except: job.except ? { ...job.except } : null,
          needs: job.needs ? job.needs.map((n) => ({ name: n.job, artifacts: n.artifacts, optional: n.optional })) : null,
        });
      }
    }
  }
  return out;
}
