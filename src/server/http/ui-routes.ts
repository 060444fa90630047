// The web UI: its built files under /-/ui/, the single page at GitLab-style page URLs, sign-in
// and the few read-only details the REST entities lack (needs, image, services) for the graph and
// the job page. Page routes never take git smart-HTTP (`/<ns>/<project>.git/...`, POST or three
// segments), /api/, /v2/, /jwt/ or /-/health: static routes win, and reserved heads get a 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../services/server-context.js';
import type { JobRecord } from '../store/store.js';
import { readableProject } from './project-access.js';
import { registerSessionRoutes } from './session-routes.js';
import { findWebDir, UiAssets } from './ui-assets.js';

const RESERVED_HEADS = new Set(['api', 'v2', 'jwt', '-', 'assets', 'uploads', 'oauth', 'groups']);

export interface UiRouteOptions {
  /** The built UI (index.html + assets/); default: found next to the server (see findWebDir). */
  webDir?: string;
}

/** What the job entity does not say: needs, image, services, tags, timeout (for the graph and job page). */
export function jobDetails(j: JobRecord) {
  return {
    id: j.id, name: j.name, stage: j.stage, stage_index: j.stageIndex, status: j.status, when: j.spec.when,
    needs: j.spec.needs?.map((n) => n.job) ?? null, image: j.spec.image?.name ?? null,
    services: j.spec.services.map((s) => ({ name: s.name, alias: s.aliases[0] ?? null })), tags: j.spec.tags,
    timeout_seconds: j.spec.timeoutSeconds ?? null, allow_failure: j.spec.allowFailure !== false, retried: j.retried,
  };
}

export function registerUiRoutes(app: FastifyInstance, ctx: ServerContext, options: UiRouteOptions = {}): void {
  const assets = new UiAssets(options.webDir ?? findWebDir());
  registerSessionRoutes(app, ctx);

  app.get<{ Params: { '*': string } }>('/-/ui/*', async (req, reply) => {
    if (await assets.send(reply, req.params['*'])) return reply;
    return reply.code(404).send({ message: '404 Not Found' });
  });

  const page = async (_req: FastifyRequest, reply: FastifyReply) => assets.page(reply);
  for (const url of ['/', '/users/sign_in', '/admin/runners', '/dashboard/projects', '/explore/projects']) app.get(url, page);
  // /<group>/<project> and /<group>[/<subgroup>]/<project>/-/<anything>: GitLab's page URLs.
  const projectPage = async (req: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply) => {
    const head = req.params.group ?? '';
    const last = req.params.project ?? '';
    if (RESERVED_HEADS.has(head) || last.endsWith('.git')) return reply.code(404).send({ message: '404 Not Found' });
    return assets.page(reply);
  };
  app.get('/:group/:project', projectPage);
  app.get('/:group/:project/-/*', projectPage);
  app.get('/:group/:sub/:project/-/*', projectPage);

  app.get<{ Params: { id: string; pid: string } }>('/-/ui/api/projects/:id/pipelines/:pid/jobs', async (req, reply) => {
    const project = (await readableProject(ctx, req, reply, 'project'))?.project;
    if (!project) return reply;
    const pipeline = /^\d+$/.test(req.params.pid) ? await ctx.store.pipelineById(Number(req.params.pid)) : undefined;
    if (!pipeline || pipeline.projectId !== project.id) return reply.code(404).send({ message: '404 Not found' });
    return (await ctx.store.jobsOfPipeline(pipeline.id)).filter((j) => !j.retried).map(jobDetails);
  });

  app.get<{ Params: { id: string; jid: string } }>('/-/ui/api/projects/:id/jobs/:jid', async (req, reply) => {
    const project = (await readableProject(ctx, req, reply, 'jobs'))?.project;
    if (!project) return reply;
    const job = /^\d+$/.test(req.params.jid) ? await ctx.store.jobById(Number(req.params.jid)) : undefined;
    if (!job || job.projectId !== project.id) return reply.code(404).send({ message: '404 Job Not Found' });
    if (job.spec.trigger === undefined) return jobDetails(job);
    const child = await ctx.store.childPipelineOf(job.id);
    return { ...jobDetails(job), downstream_pipeline: child ? { id: child.id, status: child.status } : null };
  });
}
