// Trigger jobs of `drydock run`: `trigger: include:` starts a child pipeline, compiled with the
// pipeline compiler and run here like any local pipeline (CI_PIPELINE_SOURCE=parent_pipeline, the
// trigger job's variables as the child's pipeline variables). With `strategy: depend` the trigger
// job takes the child's result; otherwise it succeeds once the child is created and the child runs
// on beside the parent. `trigger: project:` (multi-project) needs a GitLab server and is skipped.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompileContext } from '../pipeline/compiler/context.js';
import { compilePipelineFile, formatPipelineError } from '../pipeline/index.js';
import type { JobSpec, JobVariable, Pipeline } from '../pipeline/spec/job-spec.js';
import { resolveVariables, variablesAsWritten } from '../pipeline/variables/resolve-variables.js';
import type { JobResult } from '../runtime/types.js';
import type { LogSink } from '../shared/log-sink.js';
import type { ArtifactStore } from './artifact-store.js';
import type { Var } from './predefined-job-variables.js';

/** `trigger:include` entries: local files, or a file from an earlier job's artifacts (dynamic child pipelines). */
type ChildInclude = { local: string } | { artifact: string; job: string };

export type TriggerKind = { kind: 'child'; includes: ChildInclude[]; depend: boolean; forwardYaml: boolean; forwardPipeline: boolean } | { kind: 'project'; project: string } | { kind: 'invalid'; message: string };

export function triggerKind(trigger: Readonly<Record<string, unknown>>): TriggerKind {
  const depend = trigger['strategy'] === 'depend';
  const forward = trigger['forward'];
  // GitLab's defaults: the trigger job's YAML variables go down, the pipeline's own (--var) do not.
  const forwardYaml = !(isRecord(forward) && forward['yaml_variables'] === false);
  const forwardPipeline = isRecord(forward) && forward['pipeline_variables'] === true;
  if (trigger['include'] === undefined) {
    const project = trigger['project'];
    return typeof project === 'string' ? { kind: 'project', project } : { kind: 'invalid', message: 'trigger has neither include nor project' };
  }
  const raw = Array.isArray(trigger['include']) ? trigger['include'] : [trigger['include']];
  const includes: ChildInclude[] = [];
  for (const entry of raw as unknown[]) {
    if (typeof entry === 'string') includes.push({ local: entry });
    else if (isRecord(entry) && typeof entry['local'] === 'string') includes.push({ local: entry['local'] });
    else if (isRecord(entry) && typeof entry['artifact'] === 'string' && typeof entry['job'] === 'string') includes.push({ artifact: entry['artifact'], job: entry['job'] });
    else return { kind: 'invalid', message: `trigger:include ${JSON.stringify(entry)}: only local files and {artifact, job} can be run locally (project/template/remote includes need a server)` };
  }
  return { kind: 'child', includes, depend, forwardYaml, forwardPipeline };
}

export interface ChildCompileInput {
  trigger: JobSpec;
  includes: readonly ChildInclude[];
  forwardYaml: boolean;
  /** Pipeline variables (--var) the child must not see; they were appended last to the parent's context. */
  withheld: ReadonlyArray<{ key: string }>;
  repoDir: string;
  parent: CompileContext;
  /** Dotenv reports of the trigger job's dependencies. */
  dotenv: readonly Var[];
  artifacts: ArtifactStore;
  signal: AbortSignal;
}

/**
 * What the trigger job forwards as the child's pipeline variables (GitLab's bridge downstream
 * variables): its YAML variables expanded from their text with its dependencies' dotenv values in
 * the collection (bridges see dotenv reports since GitLab 13.6), then those dotenv variables
 * themselves, which rank above YAML ones.
 */
export function downstreamVariables(trigger: JobSpec, dotenv: readonly Var[], parent: CompileContext['variables']): Var[] {
  const asJob = (v: { key: string; value: string; raw?: boolean }): JobVariable => ({ key: v.key, value: v.value, public: true, masked: false, file: false, raw: v.raw ?? false });
  const own = resolveVariables(variablesAsWritten(trigger.variables), { before: parent.map(asJob), after: dotenv.map(asJob) }).variables;
  return [...own, ...dotenv].map((v) => ({ key: v.key, value: v.value, ...(v.raw ? { raw: true } : {}) }));
}

/** Compiles the child pipeline's configuration; throws an Error with every problem in its message. */
export async function compileChildPipeline(i: ChildCompileInput): Promise<{ pipeline: Pipeline; context: CompileContext }> {
  const triggerVars = i.forwardYaml ? downstreamVariables(i.trigger, i.dotenv, i.parent.variables) : [];
  const inherited = [...i.parent.variables];
  for (const w of [...i.withheld].reverse()) {
    const at = inherited.map((v) => v.key).lastIndexOf(w.key);
    if (at >= 0) inherited.splice(at, 1);
  }
  const context: CompileContext = {
    ...i.parent,
    source: 'parent_pipeline',
    // Upstream (trigger) variables are the child's pipeline variables: above project and predefined ones.
    variables: [...inherited.filter((v) => v.key !== 'CI_PIPELINE_SOURCE'), { key: 'CI_PIPELINE_SOURCE', value: 'parent_pipeline' }, ...triggerVars],
  };
  const artifactIncludes = i.includes.filter((x): x is { artifact: string; job: string } => 'artifact' in x);
  let content: string | undefined;
  let file: string;
  if (artifactIncludes.length > 0) {
    if (i.includes.length > 1) throw new Error('trigger:include with an artifact must be the only entry (as GitLab requires)');
    const a = artifactIncludes[0] as { artifact: string; job: string };
    const found = await i.artifacts.find(a.job, true);
    if (found === undefined) throw new Error(`trigger:include:artifact ${a.artifact}: job ${a.job} kept no artifacts in this pipeline`);
    file = a.artifact;
    const text = await readFile(path.join(found.filesDir, a.artifact), 'utf8').catch(() => undefined);
    if (text === undefined) throw new Error(`trigger:include:artifact ${a.artifact}: not among the artifacts of job ${a.job}`);
    content = text;
  } else {
    const locals = i.includes.map((x) => (x as { local: string }).local.replace(/^\/+/, ''));
    // One file is compiled as itself; several are merged through an include list, as GitLab does.
    file = locals.length === 1 ? (locals[0] as string) : `trigger:include of ${i.trigger.name}`;
    if (locals.length > 1) content = `include:\n${locals.map((l) => `  - local: ${JSON.stringify(l)}`).join('\n')}\n`;
  }
  const compiled = await compilePipelineFile({ projectDir: i.repoDir, file, ...(content !== undefined ? { content } : {}), signal: i.signal }, context);
  if (!compiled.valid || compiled.pipeline === undefined) {
    const errors = compiled.errors.map((e) => `  ${formatPipelineError(e)}`).join('\n');
    throw new Error(`child pipeline ${file} is not valid:\n${errors || '  (no jobs for this pipeline)'}`);
  }
  return { pipeline: compiled.pipeline, context };
}

/** The trigger job's own result: the child's status with `strategy: depend`, else success once created. */
export function triggerResult(trigger: JobSpec, childStatus: string | undefined, depend: boolean, startedAt: Date, sink: LogSink): JobResult {
  const finishedAt = new Date();
  const base = { allowedToFail: false, timings: [], startedAt, finishedAt };
  if (!depend || childStatus === 'success' || childStatus === 'skipped' || childStatus === 'blocked') return { ...base, status: 'success' };
  if (childStatus === 'canceled') return { ...base, status: 'canceled' };
  sink.write(`\x1b[31;1mERROR: Job failed: downstream pipeline ${childStatus ?? 'not created'} (strategy: depend)\x1b[0;m\n`);
  return { ...base, status: 'failed', failureReason: 'unknown_failure', allowedToFail: trigger.allowFailure === true };
}

/** Jobs to run locally: multi-project trigger jobs are left out, each with a notice. */
export function withoutProjectTriggers(jobs: readonly JobSpec[], notice: (text: string) => void): JobSpec[] {
  return jobs.filter((j) => {
    if (j.trigger === undefined) return true;
    const k = triggerKind(j.trigger);
    if (k.kind !== 'project') return true;
    notice(`${j.name}: trigger:project ${k.project} starts a pipeline in another project, which needs a GitLab server; skipped`);
    return false;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
