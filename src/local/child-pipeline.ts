// Trigger jobs of `drydock run`: `trigger: include:` starts a child pipeline, compiled with the
// pipeline compiler and run here like any local pipeline (CI_PIPELINE_SOURCE=parent_pipeline, the
// trigger job's variables as the child's pipeline variables). With `strategy: depend` the trigger
// job takes the child's result; otherwise it succeeds once the child is created and the child runs
// on beside the parent. `trigger: project:` (multi-project) needs a GitLab server and is skipped.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompileContext } from '../pipeline/compiler/context.js';
import { compilePipelineFile, formatPipelineError } from '../pipeline/index.js';
import type { JobSpec, Pipeline } from '../pipeline/spec/job-spec.js';
import { dependResult, downstreamVariables, localChildConfig, triggerKind, type ChildInclude } from '../pipeline/spec/trigger.js';
import type { JobResult } from '../runtime/types.js';
import type { LogSink } from '../shared/log-sink.js';
import type { ArtifactStore } from './artifact-store.js';

export { triggerKind };
import type { Var } from './predefined-job-variables.js';

export interface ChildCompileInput {
  trigger: JobSpec;
  includes: readonly ChildInclude[];
  forwardYaml: boolean;
  /** Pipeline variables (--var) the child must not see; they were appended last to the parent's context. */
  withheld: ReadonlyArray<{ key: string }>;
  repoDir: string;
  parent: CompileContext;
  /** The trigger job's own predefined variables (CI_JOB_ID, CI_PIPELINE_IID...), for expanding what it hands down. */
  own: readonly Var[];
  /** Dotenv reports of the trigger job's dependencies. */
  dotenv: readonly Var[];
  artifacts: ArtifactStore;
  signal: AbortSignal;
}

/** Compiles the child pipeline's configuration; throws an Error with every problem in its message. */
export async function compileChildPipeline(i: ChildCompileInput): Promise<{ pipeline: Pipeline; context: CompileContext }> {
  const triggerVars = i.forwardYaml ? downstreamVariables(i.trigger, i.dotenv, [...i.parent.variables, ...i.own]) : [];
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
    ({ file, content } = localChildConfig(i.includes, i.trigger.name));
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
  const status = depend ? dependResult(childStatus) : 'success';
  if (status !== 'failed') return { ...base, status };
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
