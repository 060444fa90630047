// One created job instance → JobSpec: variables composed and resolved, the server-side expanded
// fields (environment, resource_group, tags) expanded, everything else copied from the model.
import type { JobConfig, VariableConfig } from '../model/pipeline-config.js';
import type { EnvironmentSpec, JobSpec, JobVariable } from '../spec/job-spec.js';
import { expandGitlab } from '../variables/expand.js';
import { resolveVariables } from '../variables/resolve-variables.js';
import { parseDuration } from '../../shared/duration.js';
import type { JobDecision } from './job-decision.js';
import type { ParallelInstance } from './matrix.js';
import { layeredLookup, toMap, yamlVariable } from './variable-scope.js';

export interface BuiltJob {
  spec: JobSpec;
  /** GitLab's message when the job's variables reference each other in a cycle. */
  error?: string;
}

/** Lowest first: CI_NODE_*, inherited globals, job variables, matrix variables, rule variables. */
export function composeVariables(
  globals: readonly VariableConfig[],
  job: JobConfig,
  instance: ParallelInstance,
  ruleVariables: Readonly<Record<string, string>>,
): JobVariable[] {
  const vars: JobVariable[] = [];
  if (instance.parallel) {
    vars.push(yamlVariable('CI_NODE_INDEX', String(instance.parallel.index)));
    vars.push(yamlVariable('CI_NODE_TOTAL', String(instance.parallel.total)));
  }
  for (const v of globals) vars.push(yamlVariable(v.key, v.value, v.raw));
  for (const v of job.variables) vars.push(yamlVariable(v.key, v.value, v.raw));
  for (const [key, value] of Object.entries(instance.variables)) vars.push(yamlVariable(key, value));
  for (const [key, value] of Object.entries(ruleVariables)) vars.push(yamlVariable(key, value));
  return vars;
}

/**
 * The pipeline's context variables (predefined pre-pipeline + project/pipeline variables) as job
 * variables, made once per pipeline: the lookup layer of every job's expansion.
 */
export interface ContextVariables {
  readonly list: readonly JobVariable[];
  readonly map: ReadonlyMap<string, string>;
}

export function contextVariables(vars: ReadonlyArray<{ key: string; value: string; masked?: boolean; file?: boolean; raw?: boolean }>): ContextVariables {
  const list = vars.map((v): JobVariable => ({
    key: v.key, value: v.value, public: true, masked: v.masked ?? false, file: v.file ?? false, raw: v.raw ?? false,
  }));
  return { list, map: toMap(list) };
}

export function buildJobSpec(
  job: JobConfig,
  instance: ParallelInstance,
  decision: JobDecision,
  globals: readonly VariableConfig[],
  context: ContextVariables,
  placement: Pick<JobSpec, 'stageIndex' | 'needs' | 'dependencies'> = { stageIndex: 0, needs: null, dependencies: [] },
): BuiltJob {
  // GitLab expands the YAML variables inside the job's whole collection (predefined, YAML, project
  // and pipeline variables): the context takes part in the expansion but only the YAML variables
  // are the job's own. Context variables come last, as in the rules lookup: pipeline variables
  // override YAML ones. Unknown, file and raw references stay for the runner.
  const own = composeVariables(globals, job, instance, decision.ruleVariables);
  const jobPredefined = [yamlVariable('CI_JOB_NAME', instance.name), yamlVariable('CI_JOB_STAGE', job.stage)];
  const resolved = resolveVariables(own, { before: jobPredefined, after: context.list });
  const variables = keepYamlText(resolved.variables, own);
  const lookup = layeredLookup([toMap(variables), context.map]);
  const spec: JobSpec = {
    name: instance.name,
    stage: job.stage,
    stageIndex: placement.stageIndex,
    when: decision.when,
    allowFailure: decision.allowFailure,
    services: [...job.services],
    variables,
    hooks: { preGetSourcesScript: [...job.hooks.preGetSourcesScript] },
    beforeScript: [...job.beforeScript],
    script: [...job.script],
    afterScript: [...job.afterScript],
    needs: placement.needs,
    dependencies: placement.dependencies,
    cache: [...job.cache],
    retry: job.retry ?? { max: 0, when: ['always'], exitCodes: [] },
    tags: job.tags.map((t) => expandGitlab(t, lookup)),
    interruptible: decision.interruptible,
    source: job.source,
  };
  if (decision.startIn !== undefined) spec.startIn = decision.startIn;
  if (job.image) spec.image = job.image;
  if (job.artifacts) spec.artifacts = job.artifacts;
  if (job.timeout !== undefined) {
    const seconds = parseDuration(job.timeout);
    if (seconds !== undefined) spec.timeoutSeconds = Math.round(seconds);
  }
  if (job.resourceGroup !== undefined) spec.resourceGroup = expandGitlab(job.resourceGroup, lookup);
  if (job.environment) spec.environment = environment(job, lookup);
  if (job.coverage !== undefined) spec.coverage = job.coverage;
  if (instance.parallel) spec.parallel = instance.parallel;
  if (job.trigger) spec.trigger = { ...job.trigger };
  if (job.secrets) spec.secrets = { ...job.secrets };
  if (job.idTokens) spec.idTokens = { ...job.idTokens };
  if (job.manualConfirmation !== undefined) spec.manualConfirmation = job.manualConfirmation;
  return resolved.error !== undefined ? { spec, error: `${instance.name} job: ${resolved.error}` } : { spec };
}

function environment(job: JobConfig, lookup: (name: string) => string | undefined): EnvironmentSpec {
  const env = job.environment!;
  const spec: EnvironmentSpec = { name: expandGitlab(env.name, lookup), action: env.action };
  if (env.url !== undefined) spec.url = expandGitlab(env.url, lookup);
  if (env.onStop !== undefined) spec.onStop = env.onStop;
  if (env.autoStopIn !== undefined) spec.autoStopIn = expandGitlab(env.autoStopIn, lookup);
  if (env.deploymentTier !== undefined) spec.deploymentTier = env.deploymentTier;
  return spec;
}

/** The expanded variables, each marked with its YAML text where the expansion changed it (JobVariable.yamlValue). */
function keepYamlText(expanded: readonly JobVariable[], written: readonly JobVariable[]): JobVariable[] {
  return expanded.map((v, i) => {
    const text = written[i]!.value;
    return v.value === text ? v : { ...v, yamlValue: text };
  });
}
