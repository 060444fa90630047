// GitLab's Resource group API: list, show, edit process_mode, upcoming jobs, current job.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../services/server-context.js';
import type { ProjectRecord, ResourceGroupRecord } from '../store/store.js';
import { jobEntities } from './pipeline-routes.js';
import { paginate } from './paginate.js';
import { projectParam } from './project-routes.js';
import { requireUser } from './request-auth.js';

const editBody = z.looseObject({ process_mode: z.enum(['unordered', 'oldest_first', 'newest_first', 'newest_ready_first']).optional() });

type GroupReq = FastifyRequest<{ Params: { id: string; key: string } }>;

function resourceGroupEntity(g: ResourceGroupRecord) {
  return { id: g.id, key: g.key, process_mode: g.processMode, created_at: g.createdAt, updated_at: g.updatedAt };
}

export function registerResourceGroupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const withGroup = async (req: GroupReq, reply: FastifyReply): Promise<{ project: ProjectRecord; group: ResourceGroupRecord } | undefined> => {
    if (!(await requireUser(ctx, req, reply))) return undefined;
    const project = await projectParam(ctx, req, reply);
    if (!project) return undefined;
    const group = await ctx.store.resourceGroup(project.id, req.params.key);
    if (!group) {
      await reply.code(404).send({ message: '404 Not found' });
      return undefined;
    }
    return { project, group };
  };
  /** Job entities of the group's jobs in `statuses`, each with its own pipeline. */
  const jobsOf = async (project: ProjectRecord, key: string, statuses: Parameters<ServerContext['store']['jobsWithStatus']>[0]) => {
    const jobs = (await ctx.store.jobsWithStatus(statuses))
      .filter((j) => j.projectId === project.id && !j.retried && j.spec.resourceGroup === key);
    const out = [];
    for (const j of jobs) {
      const pipeline = await ctx.store.pipelineById(j.pipelineId);
      if (pipeline) out.push(...(await jobEntities(ctx, project, pipeline, [j])));
    }
    return out;
  };

  app.get<{ Params: { id: string } }>('/api/v4/projects/:id/resource_groups', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    return paginate(req, reply, (await ctx.store.resourceGroups(project.id)).map(resourceGroupEntity));
  });

  app.get('/api/v4/projects/:id/resource_groups/:key', async (req: GroupReq, reply) => {
    const found = await withGroup(req, reply);
    return found ? resourceGroupEntity(found.group) : reply;
  });

  app.put('/api/v4/projects/:id/resource_groups/:key', async (req: GroupReq, reply) => {
    const found = await withGroup(req, reply);
    if (!found) return reply;
    const parsed = editBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: 'process_mode does not have a valid value (unordered, oldest_first, newest_first, newest_ready_first)' });
    }
    const mode = parsed.data.process_mode;
    const updated = mode ? await ctx.store.updateResourceGroup(found.project.id, found.group.key, mode) : found.group;
    return resourceGroupEntity(updated ?? found.group);
  });

  app.get('/api/v4/projects/:id/resource_groups/:key/upcoming_jobs', async (req: GroupReq, reply) => {
    const found = await withGroup(req, reply);
    if (!found) return reply;
    return paginate(req, reply, await jobsOf(found.project, found.group.key, ['created', 'scheduled', 'waiting_for_resource']));
  });

  app.get('/api/v4/projects/:id/resource_groups/:key/current_job', async (req: GroupReq, reply) => {
    const found = await withGroup(req, reply);
    if (!found) return reply;
    const [current] = await jobsOf(found.project, found.group.key, ['preparing', 'pending', 'running', 'canceling']);
    return current ?? null;
  });
}
