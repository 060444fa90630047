// People's job endpoints: show, trace, retry, cancel, play, and CI lint.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compilePipelineFile, toCiLintResponse } from '../../pipeline/index.js';
import { cancelJob, playJob, retryJob, type ActionResult } from '../services/job-actions.js';
import type { ServerContext } from '../services/server-context.js';
import type { JobRecord, ProjectRecord, UserRecord } from '../store/store.js';
import { jobEntities } from './pipeline-routes.js';
import { projectParam } from './project-routes.js';
import { paginate } from './paginate.js';
import { headerValue, requireUser } from './request-auth.js';
import { tokenDigest } from '../services/tokens.js';

type JobReq = FastifyRequest<{ Params: { id: string; jid: string } }>;

export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const withJob = async (req: JobReq, reply: FastifyReply): Promise<{ user: UserRecord; project: ProjectRecord; job: JobRecord } | undefined> => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return undefined;
    const project = await projectParam(ctx, req, reply);
    if (!project) return undefined;
    const job = /^\d+$/.test(req.params.jid) ? await ctx.store.jobById(Number(req.params.jid)) : undefined;
    if (!job || job.projectId !== project.id) {
      await reply.code(404).send({ message: '404 Job Not Found' });
      return undefined;
    }
    return { user, project, job };
  };
  const entity = async (project: ProjectRecord, job: JobRecord) => {
    const pipeline = await ctx.store.pipelineById(job.pipelineId);
    return pipeline ? (await jobEntities(ctx, project, pipeline, [job]))[0] : undefined;
  };
  const action = (run: (job: JobRecord, user: UserRecord) => Promise<ActionResult>, code: number) =>
    async (req: JobReq, reply: FastifyReply) => {
      const found = await withJob(req, reply);
      if (!found) return reply;
      const r = await run(found.job, found.user);
      if (!r.ok) return reply.code(r.status).send({ message: r.message });
      return reply.code(code).send(await entity(found.project, r.job));
    };

  app.get<{ Params: { id: string }; Querystring: { scope?: string | string[] } }>('/api/v4/projects/:id/jobs', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const scope = req.query.scope === undefined ? [] : [req.query.scope].flat();
    const out = [];
    for (const pipeline of await ctx.store.listPipelines(project.id)) {
      const jobs = (await ctx.store.jobsOfPipeline(pipeline.id))
        .filter((j) => !j.retried && (scope.length === 0 || scope.includes(j.status))).reverse();
      out.push(...(await jobEntities(ctx, project, pipeline, jobs)));
    }
    return paginate(req, reply, out);
  });

  // The job behind a CI_JOB_TOKEN (scripts call this to learn about themselves).
  app.get('/api/v4/job', async (req, reply) => {
    const token = headerValue(req, 'job-token') ?? (req.query as Record<string, unknown>).job_token;
    const job = typeof token === 'string' ? await ctx.store.jobByTokenDigest(tokenDigest(token)) : undefined;
    if (!job || !['running', 'canceling'].includes(job.status)) return reply.code(401).send({ message: '401 Unauthorized' });
    const project = await ctx.store.projectById(job.projectId);
    return project ? entity(project, job) : reply.code(404).send({ message: '404 Project Not Found' });
  });

  app.get<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid', async (req, reply) => {
    const found = await withJob(req, reply);
    return found ? entity(found.project, found.job) : reply;
  });

  app.get<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/trace', async (req, reply) => {
    const found = await withJob(req, reply);
    if (!found) return reply;
    return reply.type('text/plain; charset=utf-8').send(await ctx.store.readTrace(found.job.id));
  });

  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/retry', action((job, user) => retryJob(ctx, job, user.id), 201));
  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/cancel', action((job) => cancelJob(ctx, job), 201));
  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/play', action((job, user) => playJob(ctx, job, user.id), 200));

  app.post<{ Params: { id: string } }>('/api/v4/projects/:id/ci/lint', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const body = (req.body ?? {}) as { content?: unknown; include_jobs?: unknown };
    if (typeof body.content !== 'string') return reply.code(400).send({ error: 'content is missing' });
    const result = await compilePipelineFile({
      projectDir: '/', file: project.ciConfigPath, content: body.content,
      // Static lint: includes are read from the default branch.
      readFile: (rel) => ctx.repos.readFile(project.fullPath, project.defaultBranch, rel, ctx.signal),
      listFiles: () => [],
      signal: ctx.signal,
    }, {
      ref: project.defaultBranch, refType: 'branch', source: 'push', sha: '0'.repeat(40), defaultBranch: project.defaultBranch,
      variables: [], repo: { listFiles: () => [], changedFiles: () => undefined },
    });
    // Static lint only (dry_run is not simulated yet); `jobs` only when asked for, as in GitLab.
    const { jobs, ...response } = toCiLintResponse(result);
    return body.include_jobs === true || body.include_jobs === 'true' ? { ...response, jobs } : response;
  });
}
