// Trigger jobs (GitLab's bridges) on the coordinator. A bridge never goes to a runner: when it would
// be queued, the server creates its child pipeline (trigger:include of files in the same commit, or
// of a file in an earlier job's artifacts; CI_PIPELINE_SOURCE=parent_pipeline, the bridge's
// variables as the child's pipeline variables).
// Without `strategy: depend` the bridge succeeds once the child exists; with it, the bridge keeps
// running and takes the child's final status. When the child cannot be created the bridge fails
// with GitLab's downstream_pipeline_creation_failed and says why in its log.
import { downstreamVariables, localChildConfig, triggerKind } from '../../pipeline/spec/trigger.js';
import { readZipEntry } from '../../shared/zip-entries.js';
import type { ArtifactFiles } from '../artifacts/artifact-files.js';
import type { JobRecord, PipelineRecord, PipelineVariable } from '../store/store.js';
import { createPipeline, isProtectedRef } from './create-pipeline.js';
import { dependencyDotenvVariables } from './dotenv-report.js';
import { isCompleted, type JobStatus } from './job-status.js';
import { prePipelineVariables } from './predefined-variables.js';
import { projectVariablesFor } from './project-variables.js';
import type { ServerContext } from './server-context.js';

/** GitLab's failure reason of a trigger job whose downstream pipeline was not created. */
export const DOWNSTREAM_NOT_CREATED = 'downstream_pipeline_creation_failed';

/** GitLab allows a parent and two levels of children. */
const MAX_CHILD_DEPTH = 2;

/**
 * Creates the child pipeline of a bridge that was just set running; returns the parent pipeline's id
 * when the bridge finished here (it must be processed again), else undefined.
 */
export async function startDownstream(ctx: ServerContext, bridgeId: number, artifacts: ArtifactFiles): Promise<number | undefined> {
  const bridge = await ctx.store.jobById(bridgeId);
  if (!bridge || bridge.status !== 'running' || bridge.spec.trigger === undefined) return undefined;
  const parent = await ctx.store.pipelineById(bridge.pipelineId);
  const project = parent ? await ctx.store.projectById(parent.projectId) : undefined;
  if (!parent || !project) return undefined;
  const fail = async (why: string): Promise<number> => {
    await note(ctx, bridge, `\x1b[31;1mERROR: Downstream pipeline creation failed: ${why}\x1b[0;m\n`);
    await finish(ctx, bridge, 'failed', DOWNSTREAM_NOT_CREATED);
    return parent.id;
  };
  const kind = triggerKind(bridge.spec.trigger);
  if (kind.kind === 'project') return fail(`trigger:project ${kind.project}: multi-project pipelines are not supported by this server`);
  if (kind.kind === 'invalid') return fail(kind.message);
  const generated = kind.includes.find((x): x is { artifact: string; job: string } => 'artifact' in x);
  if (generated && kind.includes.length > 1) return fail('trigger:include with an artifact must be its only entry');
  if ((await childDepth(ctx, parent)) >= MAX_CHILD_DEPTH) return fail(`child pipelines can be nested at most ${MAX_CHILD_DEPTH} levels deep`);

  try {
    let config: { file: string; content?: string };
    if (generated) {
      const read = await generatedConfig(ctx, artifacts, parent.id, generated);
      if (typeof read !== 'string') return fail(read.error);
      config = { file: generated.artifact, content: read };
    } else {
      config = localChildConfig(kind.includes, bridge.name);
    }
    const variables = await forwardedVariables(ctx, bridge, parent, kind.forwardYaml, kind.forwardPipeline);
    const outcome = await createPipeline(ctx, project, {
      ref: parent.ref, refType: parent.tag ? 'tag' : 'branch', sha: parent.sha, beforeSha: parent.beforeSha, source: 'parent_pipeline',
      userId: bridge.userId, variables, config, parentJobId: bridge.id,
    }, ctx.signal);
    if (!outcome.created) return fail(outcome.reason);
    const child = outcome.pipeline;
    if (child.yamlErrors !== null) return fail(`child pipeline #${child.id} is not valid:\n${child.yamlErrors}`);
    await note(ctx, bridge, `Created child pipeline #${child.id} from ${kind.includes.map((x) => ('local' in x ? x.local : x.artifact)).join(', ')}\n`);
    if (!kind.depend) {
      await finish(ctx, bridge, 'success');
      return parent.id;
    }
    // The child may already be over (every job skipped or a failure at once).
    return isCompleted(child.status) ? mirrorChild(ctx, child) : undefined;
  } catch (err) {
    ctx.log.error({ err, jobId: bridge.id }, 'creating a downstream pipeline failed');
    return fail((err as Error).message);
  }
}

/**
 * A child pipeline finished: a `strategy: depend` bridge still running takes its status. Returns the
 * parent pipeline's id when the bridge changed.
 */
export async function mirrorChild(ctx: ServerContext, child: PipelineRecord): Promise<number | undefined> {
  if (child.parentJobId === null || !isCompleted(child.status)) return undefined;
  const bridge = await ctx.store.jobById(child.parentJobId);
  if (!bridge || bridge.status !== 'running' || bridge.spec.trigger === undefined) return undefined;
  if ((await ctx.store.childPipelineOf(bridge.id))?.id !== child.id) return undefined;
  const status: JobStatus = child.status === 'success' || child.status === 'skipped' ? 'success' : child.status === 'canceled' ? 'canceled' : 'failed';
  if (status === 'failed') await note(ctx, bridge, `\x1b[31;1mERROR: Child pipeline #${child.id} ${child.status} (strategy: depend)\x1b[0;m\n`);
  await finish(ctx, bridge, status, status === 'failed' ? 'unknown_failure' : undefined);
  return bridge.pipelineId;
}

/**
 * The child's pipeline variables: the bridge's YAML variables (expanded with its dependencies'
 * dotenv reports, which go down too) unless forward:yaml_variables is false, then the parent's own
 * pipeline variables with forward:pipeline_variables.
 */
async function forwardedVariables(ctx: ServerContext, bridge: JobRecord, parent: PipelineRecord, yaml: boolean, pipeline: boolean): Promise<PipelineVariable[]> {
  const parentVariables = await ctx.store.pipelineVariables(parent.id);
  const out: PipelineVariable[] = [];
  if (yaml) {
    const project = await ctx.store.projectById(parent.projectId);
    const refType = parent.tag ? 'tag' : 'branch';
    const protectedRef = project ? isProtectedRef(project, parent.ref, refType) : false;
    const context = project ? [
      ...prePipelineVariables(ctx.externalUrl, project, {
        ref: parent.ref, refType, sha: parent.sha, beforeSha: parent.beforeSha, source: parent.source, protectedRef,
        commit: await ctx.repos.commitInfo(project.fullPath, parent.sha, ctx.signal),
      }),
      ...(await projectVariablesFor(ctx.store, project.id, protectedRef)),
      ...parentVariables,
    ] : parentVariables;
    const dotenv = await dependencyDotenvVariables(ctx, bridge);
    for (const v of downstreamVariables(bridge.spec, dotenv, context)) out.push({ key: v.key, value: v.value, variableType: 'env_var' });
  }
  if (pipeline) out.push(...parentVariables);
  return out;
}

/** A child configuration larger than this is refused (GitLab's limit for included files is 1 MB by default). */
const MAX_GENERATED_CONFIG_BYTES = 1024 * 1024;

/**
 * A dynamic child pipeline's configuration: `artifact` out of the artifacts archive of job `job` of
 * the parent pipeline, with GitLab's messages when it cannot be had.
 */
async function generatedConfig(ctx: ServerContext, artifacts: ArtifactFiles, pipelineId: number, include: { artifact: string; job: string }): Promise<string | { error: string }> {
  const notFound = { error: `Job \`${include.job}\` not found in parent pipeline or does not have artifacts!` };
  const job = (await ctx.store.jobsOfPipeline(pipelineId)).filter((j) => !j.retried && j.name === include.job).pop();
  if (!job) return notFound;
  const archive = (await ctx.store.artifactsOfJob(job.id)).find((a) => a.fileType === 'archive');
  if (!archive) return notFound;
  const entry = await readZipEntry(artifacts.pathOf(job.id, 'archive'), include.artifact, MAX_GENERATED_CONFIG_BYTES);
  if (entry.kind === 'too-large') return { error: `File \`${include.artifact}\` is ${entry.size} bytes, more than the ${MAX_GENERATED_CONFIG_BYTES} allowed` };
  if (entry.kind === 'missing' || entry.data.length === 0) return { error: `File \`${include.artifact}\` is empty!` };
  return entry.data.toString('utf8');
}

async function childDepth(ctx: ServerContext, pipeline: PipelineRecord): Promise<number> {
  let depth = 0;
  let current: PipelineRecord | undefined = pipeline;
  while (current?.parentJobId != null && depth <= MAX_CHILD_DEPTH) {
    depth++;
    const bridge = await ctx.store.jobById(current.parentJobId);
    current = bridge ? await ctx.store.pipelineById(bridge.pipelineId) : undefined;
  }
  return depth;
}

async function finish(ctx: ServerContext, bridge: JobRecord, status: JobStatus, failureReason?: string): Promise<void> {
  await ctx.store.updateJob(bridge.id, { status, finishedAt: new Date().toISOString(), ...(failureReason !== undefined && { failureReason }) });
}

/** A line in the bridge's log: what the job page shows about its downstream pipeline. */
async function note(ctx: ServerContext, bridge: JobRecord, text: string): Promise<void> {
  const offset = await ctx.store.traceSize(bridge.id);
  const data = new TextEncoder().encode(text);
  await ctx.store.appendTrace(bridge.id, offset, data);
  ctx.events.traceAppended(bridge.id, offset, data);
}
