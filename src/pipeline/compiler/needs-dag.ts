// `needs` resolution and validation, as GitLab's Config::Normalizer, YamlProcessor and
// Seed::Build do it:
// - a need naming a parallel job means all of its instances; `parallel: {matrix}` in a need
//   selects the instances its matrix names;
// - every need must name a job in the same or an earlier stage; an optional need to a job that
//   is not in the configuration is dropped;
// - duplicates and cycles are errors;
// - when jobs are removed by rules (`created: false`), a non-optional need to one of them is an
//   error and an optional one is dropped.
// Messages are GitLab's. Everything is linear in jobs + needs.
import type { NeedSpec } from '../spec/job-spec.js';
import { matchMatrixNeed, type MatrixConfig } from './matrix.js';

export interface DagNeedInput {
  job: string;
  /** Default true. */
  artifacts?: boolean;
  /** Default false. */
  optional?: boolean;
  parallel?: { matrix: MatrixConfig };
}

export interface DagJobInput {
  name: string;
  stageIndex: number;
  /** null: the job runs by stage order. */
  needs: readonly DagNeedInput[] | null;
  /** For parallel instances: the job's name as written in the configuration. */
  parallelGroup?: string;
  /** False when rules/only/except removed the job from the pipeline. Default true. */
  created?: boolean;
}

export interface NeedsResolution {
  /** For every created job: its needs with instance names (null when it has no `needs`). */
  resolved: Map<string, NeedSpec[] | null>;
  /** GitLab's messages, in job order. */
  errors: string[];
}

/** GitLab's Ci::BuildNeed::MAX_JOB_NAME_LENGTH. */
export const MAX_NEED_NAME_LENGTH = 255;

export function resolveNeeds(jobs: readonly DagJobInput[]): NeedsResolution {
  const byName = new Map<string, DagJobInput>();
  const groups = new Map<string, string[]>();
  for (const job of jobs) {
    byName.set(job.name, job);
    if (job.parallelGroup !== undefined) {
      const list = groups.get(job.parallelGroup);
      if (list) list.push(job.name); else groups.set(job.parallelGroup, [job.name]);
    }
  }

  const errors: string[] = [];
  const configNeeds = new Map<string, NeedSpec[]>();
  let needsLaterStage = false;
  for (const job of jobs) {
    if (job.needs === null) continue;
    const expanded = job.needs.length === 1 ? expandNeed(job.needs[0]!, groups) : job.needs.flatMap((need) => expandNeed(need, groups));
    const kept: NeedSpec[] = [];
    for (const need of expanded) {
      const target = byName.get(need.job);
      if (!target) {
        if (!need.optional) errors.push(`${job.name} job: undefined need: ${need.job}`);
        continue;
      }
      if (need.job.length > MAX_NEED_NAME_LENGTH) {
        errors.push(`${job.name} job: need \`${need.job}\` name is too long (maximum is ${MAX_NEED_NAME_LENGTH} characters)`);
      }
      if (target.stageIndex > job.stageIndex) {
        errors.push(`${job.name} job: need ${need.job} is not defined in current or prior stages`);
        needsLaterStage = true;
      }
      kept.push(need);
    }
    const duplicated = duplicates(expanded);
    if (duplicated.length > 0) errors.push(`${job.name} has the following needs duplicated: ${duplicated.join(', ')}.`);
    configNeeds.set(job.name, kept);
  }

  // Edges never lead to a later stage unless a need does (an error above), so without one a cycle
  // can only be made of needs; the full graph (with stage order) is checked only in that case.
  const cyclic = needsLaterStage ? hasCycle(jobs, configNeeds) : hasNeedsCycle(jobs, configNeeds);
  if (cyclic) errors.push('The pipeline has circular dependencies');

  const resolved = new Map<string, NeedSpec[] | null>();
  for (const job of jobs) {
    if (job.created === false) continue;
    const needs = configNeeds.get(job.name);
    if (needs === undefined) { resolved.set(job.name, null); continue; }
    const present: NeedSpec[] = [];
    for (const need of needs) {
      if (byName.get(need.job)?.created !== false) { present.push(need); continue; }
      if (need.optional) continue;
      errors.push(
        `'${job.name}' job needs '${need.job}' job, but '${need.job}' does not exist in the pipeline. ` +
          'This might be because of the only, except, or rules keywords. ' +
          'To need a job that sometimes does not exist in the pipeline, use needs:optional.',
      );
    }
    resolved.set(job.name, present);
  }
  return { resolved, errors };
}

function expandNeed(need: DagNeedInput, groups: ReadonlyMap<string, readonly string[]>): NeedSpec[] {
  const artifacts = need.artifacts ?? true;
  const optional = need.optional ?? false;
  const instances = groups.get(need.job);
  let names: readonly string[];
  if (instances === undefined) names = [need.job];
  else if (need.parallel?.matrix) names = matchMatrixNeed(need.job, need.parallel.matrix);
  else names = instances;
  return names.map((job) => ({ job, artifacts, optional }));
}

/** Replaces names of parallel jobs by their instance names (for `dependencies`). */
export function expandJobNames(names: readonly string[], jobs: readonly Pick<DagJobInput, 'name' | 'parallelGroup'>[]): string[] {
  const groups = new Map<string, string[]>();
  for (const job of jobs) {
    if (job.parallelGroup === undefined) continue;
    const list = groups.get(job.parallelGroup);
    if (list) list.push(job.name); else groups.set(job.parallelGroup, [job.name]);
  }
  return names.flatMap((n) => groups.get(n) ?? [n]);
}

/** Names needed more than once, in order of first appearance. */
function duplicates(needs: readonly NeedSpec[]): string[] {
  if (needs.length < 2) return [];
  const seen = new Set<string>();
  let repeated: Set<string> | undefined;
  for (const n of needs) {
    if (seen.has(n.job)) (repeated ??= new Set()).add(n.job);
    else seen.add(n.job);
  }
  return repeated ? [...seen].filter((n) => repeated.has(n)) : [];
}

/** A cycle made of needs only (iterative DFS: 0 new, 1 on the path, 2 done). */
function hasNeedsCycle(jobs: readonly DagJobInput[], needs: ReadonlyMap<string, readonly NeedSpec[]>): boolean {
  const state = new Map<string, number>();
  const path: string[] = [];
  const next: number[] = [];
  for (const job of jobs) {
    if (state.has(job.name) || !needs.has(job.name)) continue;
    state.set(job.name, 1);
    path.push(job.name);
    next.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const edges = needs.get(path[top]!) ?? [];
      const i = next[top]!;
      if (i < edges.length) {
        next[top] = i + 1;
        const target = edges[i]!.job;
        const s = state.get(target);
        if (s === 1) return true;
        if (s === undefined && needs.has(target)) {
          state.set(target, 1);
          path.push(target);
          next.push(0);
        }
        continue;
      }
      state.set(path.pop()!, 2);
      next.pop();
    }
  }
  return false;
}

function hasCycle(jobs: readonly DagJobInput[], needs: ReadonlyMap<string, readonly NeedSpec[]>): boolean {
  return topologicalOrder(jobs.map((j) => ({ name: j.name, stageIndex: j.stageIndex, needs: needs.get(j.name) ?? [] }))).cycle !== undefined;
}

export interface OrderInput {
  name: string;
  stageIndex: number;
  /** null: after every job of the earlier stages. */
  needs: ReadonlyArray<{ job: string }> | null;
}

/**
 * An execution order in which each job comes after what it waits for: its needs, or (needs
 * null) every job of an earlier stage. Ties keep the input order as far as possible. When the
 * graph has a cycle, `cycle` names the jobs of one cycle and `order` is partial.
 */
export function topologicalOrder(jobs: readonly OrderInput[]): { order: string[]; cycle?: string[] } {
  const indexOf = new Map<string, number>();
  jobs.forEach((j, i) => indexOf.set(j.name, i));
  // Jobs sorted by stage, so "every job of an earlier stage" is a prefix of this list.
  const byStage = jobs.map((_, i) => i).sort((a, b) => jobs[a]!.stageIndex - jobs[b]!.stageIndex || a - b);
  // Number of jobs in stages before `stage` = length of the byStage prefix a stage-ordered job waits for.
  const stages = [...new Set(jobs.map((j) => j.stageIndex))].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const j of jobs) counts.set(j.stageIndex, (counts.get(j.stageIndex) ?? 0) + 1);
  const before = new Map<number, number>();
  let running = 0;
  for (const s of stages) {
    before.set(s, running);
    running += counts.get(s) ?? 0;
  }
  const prefixFor = (stage: number): number => before.get(stage) ?? 0;

  // Iterative DFS, post-order. Stage-ordered jobs depend on the earlier-stage prefix; to stay
  // linear, such a job depends only on the last job of that prefix chain ("barrier" edges):
  // each stage-ordered job first visits the prefix in order, which is visited once overall.
  const state = new Uint8Array(jobs.length); // 0 new, 1 on path, 2 done
  const order: string[] = [];
  let prefixDone = 0; // byStage[0..prefixDone) are all finished
  const visit = (start: number): string[] | undefined => {
    const stack: Array<{ node: number; deps: number[]; next: number }> = [];
    const push = (node: number): void => {
      state[node] = 1;
      const job = jobs[node]!;
      let deps: number[];
      if (job.needs === null) deps = byStage.slice(prefixDone, prefixFor(job.stageIndex));
      else deps = job.needs.map((n) => indexOf.get(n.job)).filter((i): i is number => i !== undefined);
      stack.push({ node, deps, next: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++]!;
        if (state[dep] === 1) {
          const from = stack.findIndex((f) => f.node === dep);
          return stack.slice(from).map((f) => jobs[f.node]!.name);
        }
        if (state[dep] === 0) push(dep);
        continue;
      }
      stack.pop();
      state[top.node] = 2;
      order.push(jobs[top.node]!.name);
      while (prefixDone < byStage.length && state[byStage[prefixDone]!] === 2) prefixDone++;
    }
    return undefined;
  };
  for (let i = 0; i < jobs.length; i++) {
    if (state[i] !== 0) continue;
    const cycle = visit(i);
    if (cycle) return { order, cycle };
  }
  return { order };
}
