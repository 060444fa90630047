// People's job endpoints: show, trace, retry, cancel, play, and CI lint.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lintConfig, type LintRequest } from '../services/lint-config.js';
import { cancelJob, playJob, retryJob, unscheduleJob, type ActionResult } from '../services/job-actions.js';
import type { ServerContext } from '../services/server-context.js';
import type { JobRecord, ProjectRecord, UserRecord } from '../store/store.js';
import { jobEntities } from './pipeline-routes.js';
import { projectParam } from './project-routes.js';
import { paginate } from './paginate.js';
import { readableProject } from './project-access.js';
import { headerValue, requireUser } from './request-auth.js';
import { tokenDigest } from '../services/tokens.js';

type JobReq = FastifyRequest<{ Params: { id: string; jid: string } }>;

export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const findJob = async (req: JobReq, reply: FastifyReply, project: ProjectRecord): Promise<JobRecord | undefined> => {
    const job = /^\d+$/.test(req.params.jid) ? await ctx.store.jobById(Number(req.params.jid)) : undefined;
    if (!job || job.projectId !== project.id) {
      await reply.code(404).send({ message: '404 Job Not Found' });
      return undefined;
    }
    return job;
  };
  const withJob = async (req: JobReq, reply: FastifyReply): Promise<{ user: UserRecord; project: ProjectRecord; job: JobRecord } | undefined> => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return undefined;
    const project = await projectParam(ctx, req, reply);
    if (!project) return undefined;
    const job = await findJob(req, reply, project);
    return job ? { user, project, job } : undefined;
  };
  /** Reading a job: also anonymous for a public project (project-access.ts). */
  const readJob = async (req: JobReq, reply: FastifyReply): Promise<{ project: ProjectRecord; job: JobRecord } | undefined> => {
    const found = await readableProject(ctx, req, reply, 'jobs');
    if (!found) return undefined;
    const job = await findJob(req, reply, found.project);
    return job ? { project: found.project, job } : undefined;
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
    const project = (await readableProject(ctx, req, reply, 'jobs'))?.project;
    if (!project) return reply;
    const scope = req.query.scope === undefined ? [] : [req.query.scope].flat();
    const out = [];
    for (const pipeline of await ctx.store.listPipelines(project.id)) {
      const jobs = (await ctx.store.jobsOfPipeline(pipeline.id))
        .filter((j) => j.spec.trigger === undefined && !j.retried && (scope.length === 0 || scope.includes(j.status))).reverse();
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
    const found = await readJob(req, reply);
    return found ? entity(found.project, found.job) : reply;
  });

  app.get<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/trace', async (req, reply) => {
    const found = await readJob(req, reply);
    if (!found) return reply;
    return reply.type('text/plain; charset=utf-8').send(await ctx.store.readTrace(found.job.id));
  });

  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/retry', action((job, user) => retryJob(ctx, job, user.id), 201));
  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/cancel', action((job) => cancelJob(ctx, job), 201));
  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/play', action((job, user) => playJob(ctx, job, user.id), 200));
  // GitLab offers "unschedule" (a delayed job becomes manual) on its web routes only; Drydock also has it here.
  app.post<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/unschedule', action((job) => unscheduleJob(ctx, job), 200));

  const flag = (v: unknown) => v === true || v === 'true';
  const respond = async (project: ProjectRecord, req: LintRequest, includeJobs: boolean) => {
    const { jobs, ...response } = await lintConfig(ctx, project, req);
    // `jobs` only when asked for, as in GitLab.
    return includeJobs ? { ...response, jobs } : response;
  };
  app.post<{ Params: { id: string } }>('/api/v4/projects/:id/ci/lint', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const body = (req.body ?? {}) as { content?: unknown; include_jobs?: unknown; dry_run?: unknown; ref?: unknown };
    if (typeof body.content !== 'string') return reply.code(400).send({ error: 'content is missing' });
    return respond(project, {
      content: body.content, dryRun: flag(body.dry_run), ...(typeof body.ref === 'string' && { ref: body.ref }),
    }, flag(body.include_jobs));
  });
  // Lints the configuration stored in the repository (at content_ref, default the default branch).
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/api/v4/projects/:id/ci/lint', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const q = req.query;
    const wanted = q.content_ref ?? q.sha ?? project.defaultBranch;
    const refs = await ctx.repos.refs(project.fullPath, ctx.signal);
    const sha = refs.get(`refs/heads/${wanted}`) ?? refs.get(`refs/tags/${wanted}`) ?? (/^[0-9a-f]{40}$/.test(wanted) ? wanted : undefined);
    const content = sha ? await ctx.repos.readFile(project.fullPath, sha, project.ciConfigPath, ctx.signal).catch(() => undefined) : undefined;
    if (content === undefined) return reply.code(404).send({ message: '404 Commit Not Found' });
    const ref = q.dry_run_ref ?? q.ref;
    return respond(project, { content, dryRun: flag(q.dry_run), contentRef: sha, ...(ref !== undefined && { ref }) }, flag(q.include_jobs));
  });
}
