// PipelineConfig + CompileContext → Pipeline: workflow rules, per-job rules/only/except, parallel and
// matrix instances, needs and dependencies, variables. Pure and deterministic: jobs keep the file's
// order within GitLab's stage order. Linear in jobs (+ needs); no per-job copies of global data.
import type { PipelineError, SourcePosition } from '../errors.js';
import { jobInstances, jobOfMessage, toDagNeeds } from '../model/logical-checks.js';
import type { JobConfig, NeedConfig, PipelineConfig, VariableConfig } from '../model/pipeline-config.js';
import { createExpressionCache, type ExpressionCache } from '../rules/expression.js';
import type { JobSpec, Pipeline } from '../spec/job-spec.js';
import { buildJobSpec, contextVariables } from './build-job-spec.js';
import type { CompileContext } from './context.js';
import { decideJob, toRuleInputs, type DecisionContext, type JobDecision } from './job-decision.js';
import type { ParallelInstance } from './matrix.js';
import { resolveNeeds, type DagJobInput } from './needs-dag.js';
import { inheritedGlobals, toMap, type Lookup } from './variable-scope.js';
import { evaluateWorkflow } from './workflow.js';

export interface CompileResult {
  /** Absent when there are errors, including "no pipeline" (workflow:rules, or rules that keep no job). */
  pipeline?: Pipeline;
  errors: PipelineError[];
  warnings: string[];
}

/** GitLab's Ci::Pipeline.rules_failure_message. */
export const NO_JOBS_MESSAGE = 'Pipeline will not run for the selected trigger. '
  + 'The rules configuration prevented any jobs from being added to the pipeline.';

interface Created {
  job: JobConfig;
  instance: ParallelInstance;
  decision: JobDecision;
  stageIndex: number;
}

export function compilePipeline(config: PipelineConfig, ctx: CompileContext,
  expressionCache: ExpressionCache = createExpressionCache()): CompileResult {
  const errors: PipelineError[] = [];
  const warnings: string[] = [];
  const error = (path: Array<string | number>, message: string, line = 0): void => {
    errors.push({ file: config.file, line, column: 0, path, message });
  };
  const context = contextVariables(ctx.variables);
  const contextMap = context.map;
  const workflow = evaluateWorkflow(config, ctx, contextMap, expressionCache);
  if (!workflow.run) {
    // GitLab's pipeline creation (and lint's dry run) reports this as an error: no pipeline.
    const at = config.workflow.source ?? fileStart(config);
    errors.push({ file: at.file, line: at.line, column: at.column, path: ['workflow'], message: workflow.reason });
    return { errors, warnings };
  }
  const globals: readonly VariableConfig[] = workflow.variables;
  const globalMap = toMap(globals);
  const workflowHasRules = config.workflow.rules !== undefined;
  const decisionCtx: DecisionContext = {
    compile: ctx, workflowHasRules, expressionCache,
    ...(contextMap.has('CI_PROJECT_PATH') ? { projectPath: contextMap.get('CI_PROJECT_PATH')! } : {}),
  };
  const stageIndex = new Map(config.stages.map((s, i) => [s, i]));

  const created: Created[] = [];
  const dagJobs: DagJobInput[] = [];
  // Needs in DAG form, once per needs list (a rule's or the job's), not once per instance.
  const dagNeeds = new Map<readonly NeedConfig[], DagJobInput['needs']>();
  const dagNeedsOf = (list: readonly NeedConfig[]): DagJobInput['needs'] => {
    let out = dagNeeds.get(list);
    if (out === undefined) dagNeeds.set(list, out = toDagNeeds(list));
    return out;
  };
  for (const job of config.jobs) {
    const index = stageIndex.get(job.stage) ?? 0;
    const inherited = inheritedGlobals(globals, job.inherit);
    const globalLayer = inherited === globals ? globalMap : toMap(inherited);
    const jobLayer = toMap(job.variables);
    const ruleInputs = job.rules ? toRuleInputs(job.rules) : undefined;
    for (const instance of jobInstances(job)) {
      const lookup = instanceLookup(instance, job.stage, globalLayer, jobLayer, contextMap);
      const decision = decideJob(job, ruleInputs, lookup, decisionCtx);
      const needsList = decision?.needs ?? job.needs;
      const dag: DagJobInput = {
        name: instance.name,
        stageIndex: index,
        needs: needsList ? dagNeedsOf(needsList) : null,
        created: decision !== undefined,
      };
      if (job.parallel !== undefined) dag.parallelGroup = job.name;
      dagJobs.push(dag);
      if (decision) created.push({ job, instance, decision, stageIndex: index });
    }
  }

  const needs = resolveNeeds(dagJobs);
  for (const message of needs.errors) error(jobOfMessage(message), message, lineOf(config, jobOfMessage(message)));

  const stages = config.stages.filter((s) => created.some((c) => c.job.stage === s));
  if (created.length === 0 || stages.every((s) => s === '.pre' || s === '.post')) {
    const at = fileStart(config);
    errors.push({ file: at.file, line: at.line, column: at.column, path: [], message: NO_JOBS_MESSAGE });
    return { errors, warnings };
  }

  const pipelineStageIndex = new Map(stages.map((s, i) => [s, i]));
  const ordered = [...created].sort((a, b) => a.stageIndex - b.stageIndex);
  const earlier = earlierStageJobs(ordered);
  const names = jobNames(dagJobs);
  const jobs: JobSpec[] = [];
  for (const c of ordered) {
    const jobNeeds = needs.resolved.get(c.instance.name) ?? null;
    const built = buildJobSpec(c.job, c.instance, c.decision, inheritedGlobals(globals, c.job.inherit), context, {
      stageIndex: pipelineStageIndex.get(c.job.stage) ?? 0,
      needs: jobNeeds,
      dependencies: dependenciesOf(c, jobNeeds, earlier, names),
    });
    if (built.error) error([c.job.name, 'variables'], built.error, c.job.source.line);
    jobs.push(built.spec);
  }
  const pipeline: Pipeline = { stages, jobs, warnings: [...warnings] };
  if (workflow.name !== undefined) pipeline.name = workflow.name;
  if (workflow.autoCancel?.on_new_commit || workflow.autoCancel?.on_job_failure) {
    pipeline.autoCancel = {
      ...(workflow.autoCancel.on_new_commit ? { onNewCommit: workflow.autoCancel.on_new_commit } : {}),
      ...(workflow.autoCancel.on_job_failure ? { onJobFailure: workflow.autoCancel.on_job_failure } : {}),
    };
  }
  return errors.length > 0 ? { errors, warnings } : { pipeline, errors, warnings };
}

/**
 * What `rules:if` and `only:variables` see for one job instance, later layers winning: job
 * predefined (CI_JOB_NAME, CI_JOB_STAGE, CI_NODE_*), inherited globals, job, matrix, context.
 */
function instanceLookup(instance: ParallelInstance, stage: string, globalLayer: ReadonlyMap<string, string>,
  jobLayer: ReadonlyMap<string, string>, contextMap: ReadonlyMap<string, string>): Lookup {
  const matrix = instance.variables;
  return (name) => contextMap.get(name)
    ?? (Object.hasOwn(matrix, name) ? matrix[name] : undefined)
    ?? jobLayer.get(name)
    ?? globalLayer.get(name)
    ?? predefinedJobVariable(name, instance, stage);
}

function predefinedJobVariable(name: string, instance: ParallelInstance, stage: string): string | undefined {
  switch (name) {
    case 'CI_JOB_NAME': return instance.name;
    case 'CI_JOB_STAGE': return stage;
    case 'CI_NODE_INDEX': return instance.parallel ? String(instance.parallel.index) : undefined;
    case 'CI_NODE_TOTAL': return instance.parallel ? String(instance.parallel.total) : undefined;
    default: return undefined;
  }
}

function fileStart(config: PipelineConfig): SourcePosition {
  return { file: config.file, line: 1, column: 1 };
}

function lineOf(config: PipelineConfig, path: Array<string | number>): number {
  const name = path[0];
  return config.jobs.find((j) => j.name === name)?.source.line ?? 0;
}

/**
 * For each stage, the names of the created jobs of earlier stages. Jobs of one stage share one
 * array (2,000 jobs must not mean 2,000 copies of a 1,600-name list).
 */
function earlierStageJobs(ordered: readonly Created[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let before: string[] = [];
  let current = -1;
  let acc: string[] = [];
  for (const c of ordered) {
    if (c.stageIndex !== current) {
      before = [...before, ...acc];
      acc = [];
      current = c.stageIndex;
      out.set(current, before);
    }
    acc.push(c.instance.name);
  }
  return out;
}

interface JobNames {
  created: ReadonlySet<string>;
  /** Parallel job name → its instance names. */
  groups: ReadonlyMap<string, readonly string[]>;
}

function jobNames(dagJobs: readonly DagJobInput[]): JobNames {
  const created = new Set<string>();
  const groups = new Map<string, string[]>();
  for (const j of dagJobs) {
    if (j.created !== false) created.add(j.name);
    if (j.parallelGroup === undefined) continue;
    const list = groups.get(j.parallelGroup);
    if (list) list.push(j.name); else groups.set(j.parallelGroup, [j.name]);
  }
  return { created, groups };
}

/** `dependencies:` as written, else the needs with artifacts, else every job of earlier stages. */
function dependenciesOf(c: Created, needs: JobSpec['needs'], earlier: ReadonlyMap<number, string[]>, names: JobNames): string[] {
  if (c.job.dependencies) {
    // A dependency on a job that rules removed is dropped (its artifacts cannot exist).
    return c.job.dependencies.flatMap((n) => names.groups.get(n) ?? [n]).filter((n) => names.created.has(n));
  }
  if (needs !== null) return needs.filter((n) => n.artifacts).map((n) => n.job);
  return earlier.get(c.stageIndex) ?? [];
}
