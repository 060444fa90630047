// People's project endpoints: list/get/create projects and CRUD of project CI/CD variables.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createProject, findProject } from '../services/projects.js';
import type { ServerContext } from '../services/server-context.js';
import type { ProjectRecord, VariableRecord } from '../store/store.js';
import { projectEntity, variableEntity } from './entities.js';
import { paginate } from './paginate.js';
import { readableProject, sentToken } from './project-access.js';
import { requireUser, userFromRequest } from './request-auth.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const variableBody = z.looseObject({
  key: z.string().regex(/^[a-zA-Z0-9_]+$/, 'can contain only letters, digits and \'_\'').max(255).optional(),
  value: z.string().optional(),
  variable_type: z.enum(['env_var', 'file']).optional(),
  protected: flag.optional(),
  masked: flag.optional(),
  raw: flag.optional(),
  environment_scope: z.string().optional(),
  description: z.string().nullable().optional(),
});

const listQuery = z.looseObject({
  visibility: z.enum(['public', 'internal', 'private'], { message: 'does not have a valid value' }).optional(),
  search: z.string().optional(),
});

const createBody = z.looseObject({
  name: z.string().optional(),
  path: z.string().optional(),
  namespace: z.string().optional(),
  namespace_id: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
  default_branch: z.string().optional(),
  visibility: z.string().optional(),
});

/** The project of `:id`, or a 404 already sent. */
export async function projectParam(ctx: ServerContext, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<ProjectRecord | undefined> {
  const project = await findProject(ctx, req.params.id);
  if (!project) await reply.code(404).send({ message: '404 Project Not Found' });
  return project;
}

export function registerProjectRoutes(app: FastifyInstance, ctx: ServerContext): void {

  // Anonymous callers see the public projects only, as on GitLab; `visibility` and `search`
  // (name or path, any case) filter the list.
  app.get('/api/v4/projects', async (req, reply) => {
    const user = await userFromRequest(ctx, req);
    if (!user && sentToken(req)) return reply.code(401).send({ message: '401 Unauthorized' });
    const query = listQuery.safeParse(req.query ?? {});
    if (!query.success) return reply.code(400).send({ error: query.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ') });
    const { visibility, search } = query.data;
    const needle = search?.toLowerCase();
    const projects = (await ctx.store.listProjects()).filter((p) => (user || p.visibility === 'public')
      && (visibility === undefined || p.visibility === visibility)
      && (needle === undefined || p.name.toLowerCase().includes(needle) || p.path.toLowerCase().includes(needle)));
    return paginate(req, reply, projects.map((p) => projectEntity(ctx.externalUrl, p)));
  });

  app.post('/api/v4/projects', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    const body = createBody.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send({ error: body.error.issues.map((i) => i.message).join(', ') });
    const b = body.data;
    const namespacePath = b.namespace ?? (typeof b.namespace_id === 'string' ? b.namespace_id : undefined);
    const r = await createProject(ctx, {
      name: b.name, path: b.path, namespacePath, description: b.description, defaultBranch: b.default_branch, visibility: b.visibility,
    }, user);
    if (!r.ok) return reply.code(r.status).send({ message: r.message });
    return reply.code(201).send(projectEntity(ctx.externalUrl, r.project));
  });

  // Public projects are readable without a token (project-access.ts).
  app.get<{ Params: { id: string } }>('/api/v4/projects/:id', async (req, reply) => {
    const found = await readableProject(ctx, req, reply, 'project');
    return found ? projectEntity(ctx.externalUrl, found.project) : reply;
  });

  app.get<{ Params: { id: string } }>('/api/v4/projects/:id/variables', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    return paginate(req, reply, (await ctx.store.listVariables(project.id)).map(variableEntity));
  });

  app.get<{ Params: { id: string; key: string } }>('/api/v4/projects/:id/variables/:key', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const v = await ctx.store.getVariable(project.id, req.params.key);
    return v ? variableEntity(v) : reply.code(404).send({ message: '404 Variable Not Found' });
  });

  const save = (mode: 'create' | 'update') => async (req: FastifyRequest<{ Params: { id: string; key?: string } }>, reply: FastifyReply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    const parsed = variableBody.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ message: { key: parsed.error.issues.map((i) => i.message) } });
    const b = parsed.data;
    const key = mode === 'update' ? req.params.key ?? '' : b.key;
    if (!key) return reply.code(400).send({ error: 'key is missing' });
    const existing = await ctx.store.getVariable(project.id, key);
    if (mode === 'create' && existing) return reply.code(400).send({ message: { key: [`(${key}) has already been taken`] } });
    if (mode === 'update' && !existing) return reply.code(404).send({ message: '404 Variable Not Found' });
    if (mode === 'create' && b.value === undefined) return reply.code(400).send({ error: 'value is missing' });
    const value = b.value ?? existing?.value ?? '';
    const masked = b.masked ?? existing?.masked ?? false;
    // GitLab's masking rule: at least 8 characters, no newline, so the runner can find it in logs.
    if (masked && (value.length < 8 || /\n/.test(value))) {
      return reply.code(400).send({ message: { value: ['is invalid: a masked variable must have at least 8 characters and no newlines'] } });
    }
    const record: VariableRecord = {
      projectId: project.id, key, value, variableType: b.variable_type ?? existing?.variableType ?? 'env_var', masked,
      protected: b.protected ?? existing?.protected ?? false, raw: b.raw ?? existing?.raw ?? false,
      environmentScope: b.environment_scope ?? existing?.environmentScope ?? '*', description: b.description ?? existing?.description ?? null,
    };
    await ctx.store.putVariable(record);
    return reply.code(mode === 'create' ? 201 : 200).send(variableEntity(record));
  };
  app.post<{ Params: { id: string } }>('/api/v4/projects/:id/variables', save('create'));
  app.put<{ Params: { id: string; key: string } }>('/api/v4/projects/:id/variables/:key', save('update'));

  app.delete<{ Params: { id: string; key: string } }>('/api/v4/projects/:id/variables/:key', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    return (await ctx.store.deleteVariable(project.id, req.params.key))
      ? reply.code(204).send()
      : reply.code(404).send({ message: '404 Variable Not Found' });
  });
}
