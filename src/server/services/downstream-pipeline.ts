// Trigger jobs (GitLab's bridges) on the coordinator. A bridge never goes to a runner: when it would
// be queued, the server creates its downstream pipeline: a child pipeline (trigger:include of files
// in the same commit, or of a file in an earlier job's artifacts; CI_PIPELINE_SOURCE=parent_pipeline)
// or a pipeline of another project of this server (trigger:project, CI_PIPELINE_SOURCE=pipeline),
// with the bridge's variables as its pipeline variables.
// Without `strategy: depend` the bridge succeeds once the child exists; with it, the bridge keeps
// running and takes the child's final status. When the child cannot be created the bridge fails
// with GitLab's downstream_pipeline_creation_failed and says why in its log.
import { dependResult, downstreamVariables, localChildConfig, triggerKind, type TriggerKind } from '../../pipeline/spec/trigger.js';
import { readZipEntry } from '../../shared/zip-entries.js';
import type { ArtifactFiles } from '../artifacts/artifact-files.js';
import type { JobRecord, PipelineRecord, PipelineVariable, ProjectRecord } from '../store/store.js';
import { ZERO_SHA } from '../git/git-repos.js';
import { createPipeline, isProtectedRef, type PipelineTrigger } from './create-pipeline.js';
import { dependingTriggerOf } from './depend-trigger.js';
import { dependencyDotenvVariables } from './dotenv-report.js';
import { isCompleted, type JobStatus } from './job-status.js';
import { jobIdentityVariables, prePipelineVariables } from './predefined-variables.js';
import { projectVariablesFor } from './project-variables.js';
import type { ServerContext } from './server-context.js';

/** GitLab's failure reason of a trigger job whose downstream pipeline was not created. */
export const DOWNSTREAM_NOT_CREATED = 'downstream_pipeline_creation_failed';

/** GitLab allows a parent and two levels of children. */
const MAX_CHILD_DEPTH = 2;

/**
 * Creates the downstream pipeline of a bridge that was just set running; returns the parent pipeline's id
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
  if (kind.kind === 'invalid') return fail(kind.message);
  try {
    const up: Upstream = { bridge, parent, project, fail };
    return kind.kind === 'project' ? await startMultiProject(ctx, up, kind) : await startChild(ctx, up, kind, artifacts);
  } catch (err) {
    ctx.log.error({ err, jobId: bridge.id }, 'creating a downstream pipeline failed');
    return fail((err as Error).message);
  }
}

/** The trigger job being started, where it runs, and how it fails. */
interface Upstream {
  bridge: JobRecord;
  parent: PipelineRecord;
  project: ProjectRecord;
  fail: (why: string) => Promise<number>;
}

type ChildTrigger = Extract<TriggerKind, { kind: 'child' }>;

/** trigger:include: a child pipeline of the same commit, from files of the repository or of an earlier job's artifacts. */
async function startChild(ctx: ServerContext, up: Upstream, kind: ChildTrigger, artifacts: ArtifactFiles): Promise<number | undefined> {
  const { bridge, parent, fail } = up;
  const generated = kind.includes.find((x): x is { artifact: string; job: string } => 'artifact' in x);
  if (generated && kind.includes.length > 1) return fail('trigger:include with an artifact must be its only entry');
  if ((await ancestors(ctx, parent, true)) >= MAX_CHILD_DEPTH) return fail(`child pipelines can be nested at most ${MAX_CHILD_DEPTH} levels deep`);
  let config: { file: string; content?: string };
  if (generated) {
    const read = await generatedConfig(ctx, artifacts, parent.id, generated);
    if (typeof read !== 'string') return fail(read.error);
    config = { file: generated.artifact, content: read };
  } else {
    config = localChildConfig(kind.includes, bridge.name);
  }
  const from = kind.includes.map((x) => ('local' in x ? x.local : x.artifact)).join(', ');
  return launch(ctx, up, kind, up.project, {
    ref: parent.ref, refType: parent.tag ? 'tag' : 'branch', sha: parent.sha, beforeSha: parent.beforeSha, source: 'parent_pipeline', config,
  }, (child) => ({ invalid: `child pipeline #${child.id} is not valid`, created: `Created child pipeline #${child.id} from ${from}` }));
}

/** GitLab's failure reason of a trigger job whose downstream project does not exist. */
export const DOWNSTREAM_PROJECT_NOT_FOUND = 'downstream_bridge_project_not_found';

/** A chain of downstream pipelines longer than this is stopped: Drydock's guard against trigger cycles. */
const MAX_HIERARCHY_DEPTH = 10;

type ProjectTrigger = Extract<TriggerKind, { kind: 'project' }>;

/** trigger:project: a pipeline of another project of this server, on `branch` or its default branch. */
async function startMultiProject(ctx: ServerContext, up: Upstream, kind: ProjectTrigger): Promise<number | undefined> {
  const { bridge, parent, fail } = up;
  const target = await ctx.store.projectByPath(kind.project);
  if (!target) {
    await note(ctx, bridge, `\x1b[31;1mERROR: Downstream project ${kind.project} could not be found\x1b[0;m\n`);
    await finish(ctx, bridge, 'failed', DOWNSTREAM_PROJECT_NOT_FOUND);
    return parent.id;
  }
  if ((await ancestors(ctx, parent, false)) >= MAX_HIERARCHY_DEPTH) return fail(`more than ${MAX_HIERARCHY_DEPTH} downstream pipelines in a chain (a trigger cycle?)`);
  const ref = kind.branch ?? target.defaultBranch;
  const sha = (await ctx.repos.refs(target.fullPath, ctx.signal)).get(`refs/heads/${ref}`);
  if (sha === undefined) return fail(`${kind.project} has no branch ${ref}`);
  return launch(ctx, up, kind, target, { ref, refType: 'branch', sha, beforeSha: ZERO_SHA, source: 'pipeline' },
    (downstream) => ({ invalid: `pipeline #${downstream.id} of ${kind.project} is not valid`, created: `Created pipeline #${downstream.id} of ${kind.project} on ${ref}` }));
}

/**
 * Creates the downstream pipeline in `project` with the trigger job's forwarded variables. Without
 * depend the trigger job is then done; with it, it waits (unless that pipeline is already over).
 */
async function launch(
  ctx: ServerContext, up: Upstream, kind: ChildTrigger | ProjectTrigger, project: ProjectRecord,
  where: Omit<PipelineTrigger, 'userId' | 'variables' | 'parentJobId'>, says: (downstream: PipelineRecord) => { invalid: string; created: string },
): Promise<number | undefined> {
  const { bridge, parent, fail } = up;
  const variables = await forwardedVariables(ctx, up, kind.forwardYaml, kind.forwardPipeline);
  const outcome = await createPipeline(ctx, project, { ...where, userId: bridge.userId, variables, parentJobId: bridge.id }, ctx.signal);
  if (!outcome.created) return fail(outcome.reason);
  const downstream = outcome.pipeline;
  const text = says(downstream);
  if (downstream.yamlErrors !== null) return fail(`${text.invalid}:\n${downstream.yamlErrors}`);
  await note(ctx, bridge, `${text.created}\n`);
  if (!kind.depend) {
    await finish(ctx, bridge, 'success');
    return parent.id;
  }
  return isCompleted(downstream.status) ? mirrorChild(ctx, downstream) : undefined;
}

/**
 * A child pipeline finished: a `strategy: depend` bridge still running takes its status. Returns the
 * parent pipeline's id when the bridge changed.
 */
export async function mirrorChild(ctx: ServerContext, child: PipelineRecord): Promise<number | undefined> {
  if (!isCompleted(child.status)) return undefined;
  // Without depend the trigger job succeeds once its pipeline exists, however that pipeline ends.
  const bridge = await dependingTriggerOf(ctx, child);
  if (bridge?.status !== 'running') return undefined;
  const status = dependResult(child.status);
  if (status === 'failed') await note(ctx, bridge, `\x1b[31;1mERROR: Child pipeline #${child.id} ${child.status} (strategy: depend)\x1b[0;m\n`);
  await finish(ctx, bridge, status, status === 'failed' ? 'unknown_failure' : undefined);
  return bridge.pipelineId;
}

/**
 * The child's pipeline variables: the bridge's YAML variables (expanded with its dependencies'
 * dotenv reports, which go down too) unless forward:yaml_variables is false, then the parent's own
 * pipeline variables with forward:pipeline_variables.
 */
async function forwardedVariables(ctx: ServerContext, up: Upstream, yaml: boolean, pipeline: boolean): Promise<PipelineVariable[]> {
  const { bridge, parent, project } = up;
  const parentVariables = await ctx.store.pipelineVariables(parent.id);
  const out: PipelineVariable[] = [];
  if (yaml) {
    const refType = parent.tag ? 'tag' : 'branch';
    const protectedRef = isProtectedRef(project, parent.ref, refType);
    const context = [
      ...jobIdentityVariables(ctx.externalUrl, project, {
        jobId: bridge.id, jobName: bridge.name, stage: bridge.stage, pipelineId: parent.id, pipelineIid: parent.iid, pipelineCreatedAt: parent.createdAt,
      }),
      ...prePipelineVariables(ctx.externalUrl, project, {
        ref: parent.ref, refType, sha: parent.sha, beforeSha: parent.beforeSha, source: parent.source, protectedRef,
        commit: await ctx.repos.commitInfo(project.fullPath, parent.sha, ctx.signal),
      }),
      ...(await projectVariablesFor(ctx.store, project.id, protectedRef)),
      ...parentVariables,
    ];
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

/** How many trigger jobs lead up to `pipeline` (only through child pipelines with `childrenOnly`). */
async function ancestors(ctx: ServerContext, pipeline: PipelineRecord, childrenOnly: boolean): Promise<number> {
  let depth = 0;
  let current: PipelineRecord | undefined = pipeline;
  while (current?.parentJobId != null && (!childrenOnly || current.source === 'parent_pipeline') && depth <= MAX_HIERARCHY_DEPTH) {
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
