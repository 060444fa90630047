// People's pipeline endpoints: list, show, create, jobs of a pipeline, cancel, retry.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZERO_SHA } from '../git/git-repos.js';
import { createPipeline } from '../services/create-pipeline.js';
import { cancelPipeline, retryPipeline } from '../services/job-actions.js';
import type { ServerContext } from '../services/server-context.js';
import type { JobRecord, PipelineRecord, ProjectRecord } from '../store/store.js';
import { jobEntity, pipelineBasicEntity, pipelineEntity } from './entities.js';
import { paginate } from './paginate.js';
import { readableProject } from './project-access.js';
import { projectParam } from './project-routes.js';
import { requireUser } from './request-auth.js';

const createPipelineBody = z.looseObject({
  ref: z.string().optional(),
  variables: z.array(z.looseObject({
    key: z.string().regex(/^[a-zA-Z0-9_]+$/, 'can contain only letters, digits and \'_\''),
    value: z.string(),
    variable_type: z.enum(['env_var', 'file']).optional(),
  })).optional(),
});

type PipelineReq = FastifyRequest<{ Params: { id: string; pid: string } }>;

export async function pipelineParam(ctx: ServerContext, project: ProjectRecord, pid: string, reply: FastifyReply): Promise<PipelineRecord | undefined> {
  const pipeline = /^\d+$/.test(pid) ? await ctx.store.pipelineById(Number(pid)) : undefined;
  if (!pipeline || pipeline.projectId !== project.id) {
    await reply.code(404).send({ message: '404 Not found' });
    return undefined;
  }
  return pipeline;
}

/** Job entities of one pipeline (one git lookup for the commit, one store lookup per runner/user). */
export async function jobEntities(ctx: ServerContext, project: ProjectRecord, pipeline: PipelineRecord, jobs: JobRecord[]) {
  const commit = await ctx.repos.commitInfo(project.fullPath, pipeline.sha, ctx.signal).catch(() => undefined);
  const out = [];
  for (const j of jobs) {
    const runner = j.runnerId !== null ? await ctx.store.runnerById(j.runnerId) : undefined;
    const user = j.userId !== null ? await ctx.store.userById(j.userId) : undefined;
    out.push(jobEntity({ base: ctx.externalUrl, project, pipeline, commit, user, runner }, j, await ctx.store.artifactsOfJob(j.id)));
  }
  return out;
}

export function registerPipelineRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const detail = async (project: ProjectRecord, id: number) => {
    const p = await ctx.store.pipelineById(id);
    if (!p) return undefined;
    return pipelineEntity(ctx.externalUrl, project, p, p.userId !== null ? await ctx.store.userById(p.userId) : undefined);
  };
  /** `read`: a public project's pipeline needs no token; otherwise a signed-in user. */
  const withPipeline = async (req: PipelineReq, reply: FastifyReply, mode: 'read' | 'write' = 'write') => {
    let project: ProjectRecord | undefined;
    if (mode === 'read') {
      project = (await readableProject(ctx, req, reply, 'project'))?.project;
    } else if (await requireUser(ctx, req, reply)) {
      project = await projectParam(ctx, req, reply);
    }
    if (!project) return undefined;
    const pipeline = await pipelineParam(ctx, project, req.params.pid, reply);
    return pipeline ? { project, pipeline } : undefined;
  };

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/api/v4/projects/:id/pipelines', async (req, reply) => {
    const project = (await readableProject(ctx, req, reply, 'project'))?.project;
    if (!project) return reply;
    const q = req.query;
    const list = (await ctx.store.listPipelines(project.id)).filter((p) =>
      (!q.status || p.status === q.status) && (!q.ref || p.ref === q.ref) && (!q.sha || p.sha === q.sha) && (!q.source || p.source === q.source));
    if (q.sort === 'asc') list.reverse();
    return paginate(req, reply, list.map((p) => pipelineBasicEntity(ctx.externalUrl, project, p)));
  });

  app.get<{ Params: { id: string; pid: string } }>('/api/v4/projects/:id/pipelines/:pid', async (req, reply) => {
    const found = await withPipeline(req, reply, 'read');
    return found ? detail(found.project, found.pipeline.id) : reply;
  });

  app.post<{ Params: { id: string }; Querystring: { ref?: string } }>('/api/v4/projects/:id/pipeline', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const parsed = createPipelineBody.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ') });
    const ref = req.query.ref ?? parsed.data.ref;
    if (!ref) return reply.code(400).send({ error: 'ref is missing' });
    const variables = (parsed.data.variables ?? []).map((v) => ({ key: v.key, value: v.value, variableType: v.variable_type ?? 'env_var' }));
    const refs = await ctx.repos.refs(project.fullPath, ctx.signal);
    const branchSha = refs.get(`refs/heads/${ref}`);
    const tagSha = refs.get(`refs/tags/${ref}`);
    const sha = branchSha ?? tagSha;
    if (!sha) return reply.code(400).send({ message: { base: ['Reference not found'] } });
    const r = await createPipeline(ctx, project, {
      ref, refType: branchSha ? 'branch' : 'tag', sha, beforeSha: ZERO_SHA, source: 'api', userId: user.id, variables,
    }, ctx.signal);
    if (!r.created) return reply.code(400).send({ message: { base: [r.reason] } });
    return reply.code(201).send(await detail(project, r.pipeline.id));
  });

  app.get<{ Params: { id: string; pid: string } }>('/api/v4/projects/:id/pipelines/:pid/variables', async (req, reply) => {
    const found = await withPipeline(req, reply);
    if (!found) return reply;
    return (await ctx.store.pipelineVariables(found.pipeline.id)).map((v) => ({ variable_type: v.variableType, key: v.key, value: v.value }));
  });

  app.get<{ Params: { id: string; pid: string }; Querystring: { include_retried?: string; scope?: string | string[] } }>(
    '/api/v4/projects/:id/pipelines/:pid/jobs', async (req, reply) => {
      const found = await withPipeline(req, reply, 'read');
      if (!found) return reply;
      const scope = req.query.scope === undefined ? [] : [req.query.scope].flat();
      // GitLab lists builds here; trigger jobs (bridges) are under /bridges.
      const jobs = (await ctx.store.jobsOfPipeline(found.pipeline.id))
        .filter((j) => j.spec.trigger === undefined && (req.query.include_retried === 'true' || !j.retried) && (scope.length === 0 || scope.includes(j.status)));
      return paginate(req, reply, await jobEntities(ctx, found.project, found.pipeline, jobs));
    });

  app.get<{ Params: { id: string; pid: string }; Querystring: { scope?: string | string[] } }>(
    '/api/v4/projects/:id/pipelines/:pid/bridges', async (req, reply) => {
      const found = await withPipeline(req, reply, 'read');
      if (!found) return reply;
      const scope = req.query.scope === undefined ? [] : [req.query.scope].flat();
      const bridges = (await ctx.store.jobsOfPipeline(found.pipeline.id))
        .filter((j) => j.spec.trigger !== undefined && !j.retried && (scope.length === 0 || scope.includes(j.status)));
      const entities = await jobEntities(ctx, found.project, found.pipeline, bridges);
      const out = [];
      for (const [i, bridge] of bridges.entries()) {
        const child = await ctx.store.childPipelineOf(bridge.id);
        out.push({ ...entities[i], downstream_pipeline: child ? pipelineBasicEntity(ctx.externalUrl, found.project, child) : null });
      }
      return paginate(req, reply, out);
    });

  app.post<{ Params: { id: string; pid: string } }>('/api/v4/projects/:id/pipelines/:pid/cancel', async (req, reply) => {
    const found = await withPipeline(req, reply);
    if (!found) return reply;
    await cancelPipeline(ctx, found.pipeline.id);
    return detail(found.project, found.pipeline.id);
  });

  app.post<{ Params: { id: string; pid: string } }>('/api/v4/projects/:id/pipelines/:pid/retry', async (req, reply) => {
    const found = await withPipeline(req, reply);
    if (!found) return reply;
    await retryPipeline(ctx, found.pipeline.id, found.pipeline.userId);
    return reply.code(201).send(await detail(found.project, found.pipeline.id));
  });
}
