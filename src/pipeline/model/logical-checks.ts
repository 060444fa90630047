// GitLab's logical validations (YamlProcessor#run_logical_validations!), run after the schema:
// stages exist, dependencies and needs point at jobs of the same or earlier stages, needs are not
// duplicated or circular, environment:on_stop targets are stop jobs of the same environment.
// GitLab stops at the first; we report them all.
import { expandParallel, type ParallelInstance } from '../compiler/matrix.js';
import { resolveNeeds, type DagJobInput } from '../compiler/needs-dag.js';
import type { JobConfig, NeedConfig } from './pipeline-config.js';
import type { Path } from './schema-kit.js';

export type AddError = (path: Path, message: string) => void;

/** The instances a job becomes (`build 1/2`...), or the job itself. */
export function jobInstances(job: JobConfig): ParallelInstance[] {
  if (job.parallel === undefined) return [{ name: job.name, variables: {} }];
  try {
    return expandParallel(job.name, job.parallel);
  } catch {
    // Invalid parallel values were reported by the schema; keep the job itself.
    return [{ name: job.name, variables: {} }];
  }
}

/** Needs that can be resolved inside this pipeline (cross-project/parent pipeline needs cannot). */
export function localNeeds(needs: readonly NeedConfig[]): NeedConfig[] {
  return needs.filter((n) => n.project === undefined && n.pipeline === undefined);
}

export function toDagNeeds(needs: readonly NeedConfig[]): DagJobInput['needs'] {
  return localNeeds(needs).map((n) => ({
    job: n.job,
    artifacts: n.artifacts,
    optional: n.optional,
    ...(n.matrix ? { parallel: { matrix: n.matrix } } : {}),
  }));
}

export function checkLogic(jobs: readonly JobConfig[], stages: readonly string[], add: AddError): void {
  const stageIndex = new Map(stages.map((s, i) => [s, i]));
  const byName = new Map<string, JobConfig>();
  for (const job of jobs) byName.set(job.name, job);

  const dagJobs: DagJobInput[] = [];
  let stagesOk = true;
  for (const job of jobs) {
    const index = stageIndex.get(job.stage);
    if (index === undefined) {
      add([job.name, 'stage'], `${job.name} job: chosen stage ${job.stage} does not exist; available stages are ${stages.join(', ')}`);
      stagesOk = false;
      continue;
    }
    checkDependencies(job, index, byName, stageIndex, add);
    checkOnStop(job, byName, add);
    const instances = jobInstances(job);
    // Needs in DAG form once per job, shared by its instances.
    const needs = job.needs ? toDagNeeds(job.needs) : null;
    const ruleNeeds = job.rules?.flatMap((rule) => (rule.needs ? [toDagNeeds(rule.needs)] : [])) ?? [];
    for (const instance of instances) {
      const dag: DagJobInput = { name: instance.name, stageIndex: index, needs };
      if (job.parallel !== undefined) dag.parallelGroup = job.name;
      dagJobs.push(dag);
      for (const list of ruleNeeds) dagJobs.push({ name: instance.name, stageIndex: index, needs: list, created: false });
    }
  }
  if (!stagesOk) return;
  const { errors } = resolveNeeds(dagJobs.filter((j) => j.created !== false));
  for (const message of errors) add(jobOfMessage(message), message);
  checkRuleNeeds(dagJobs, add);
}

/** The key path of the job a needs message is about (for its source position). */
export function jobOfMessage(message: string): Path {
  const m = /^'(.+?)' job needs /.exec(message) ?? /^(.+?) job: /.exec(message)
    ?? /^(.+?) has the following needs duplicated/.exec(message);
  return m?.[1] !== undefined ? [groupOf(m[1])] : [];
}

/** Needs written in rules are checked like the job's own (YamlProcessor#validate_job_needs!). */
function checkRuleNeeds(jobs: readonly DagJobInput[], add: AddError): void {
  const stageOf = new Map<string, number>();
  for (const j of jobs) {
    if (j.created === false) continue;
    stageOf.set(j.name, j.stageIndex);
    if (j.parallelGroup !== undefined && !stageOf.has(j.parallelGroup)) stageOf.set(j.parallelGroup, j.stageIndex);
  }
  for (const entry of jobs) {
    if (entry.created !== false || entry.needs === null) continue;
    for (const need of entry.needs) {
      const target = stageOf.get(need.job);
      if (target === undefined) {
        if (!need.optional) add([groupOf(entry.name), 'rules'], `${entry.name} job: undefined need: ${need.job}`);
      } else if (target > entry.stageIndex) {
        add([groupOf(entry.name), 'rules'], `${entry.name} job: need ${need.job} is not defined in current or prior stages`);
      }
    }
  }
}

function checkDependencies(job: JobConfig, index: number, byName: ReadonlyMap<string, JobConfig>,
  stageIndex: ReadonlyMap<string, number>, add: AddError): void {
  for (const dep of job.dependencies ?? []) {
    const target = byName.get(dep) ?? byName.get(groupOf(dep));
    if (!target) {
      add([job.name, 'dependencies'], `${job.name} job: undefined dependency: ${dep}`);
      continue;
    }
    const targetIndex = stageIndex.get(target.stage);
    if (targetIndex === undefined || targetIndex > index) {
      add([job.name, 'dependencies'], `${job.name} job: dependency ${dep} is not defined in current or prior stages`);
    }
  }
}

/** `build 1/3` → `build`; `build: [a, b]` → `build`. */
function groupOf(name: string): string {
  return name.replace(/ \d+\/\d+$/, '').replace(/: \[.*\]$/, '');
}

function checkOnStop(job: JobConfig, byName: ReadonlyMap<string, JobConfig>, add: AddError): void {
  const env = job.environment;
  if (!env?.onStop) return;
  const path = [job.name, 'environment', 'on_stop'];
  const target = byName.get(env.onStop);
  const prefix = `${job.name} job: on_stop job ${env.onStop}`;
  if (!target) add(path, `${prefix} is not defined`);
  else if (!target.environment) add(path, `${prefix} does not have environment defined`);
  else if (target.environment.name !== env.name) add(path, `${prefix} have different environment name`);
  else if (target.environment.action !== 'stop') add(path, `${prefix} needs to have action stop defined`);
}
