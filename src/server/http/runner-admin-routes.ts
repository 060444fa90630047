// Runners for people (GitLab's lib/api/ci/runners.rb): GET /runners (the caller's runners; all of
// them for an admin), GET /runners/all (admin), GET|PUT|DELETE /runners/:id, GET /runners/:id/jobs,
// POST /runners/:id/reset_authentication_token, GET /projects/:id/runners.
// Without memberships, a user "owns" the project runners of the projects they created.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { tagListSchema } from '../../protocol/index.js';
import { JOB_STATUSES } from '../services/job-status.js';
import { hasStatus, updateRunner, type RunnerChange } from '../services/runner-directory.js';
import type { ServerContext } from '../services/server-context.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from '../services/tokens.js';
import type { JobRecord, ProjectRecord, RunnerRecord, UserRecord } from '../store/store.js';
import { paginate } from './paginate.js';
import { jobEntities } from './pipeline-routes.js';
import { projectParam } from './project-routes.js';
import { requireUser } from './request-auth.js';
import { basicProjectEntity, runnerDetailsEntity, runnerEntity } from './runner-entities.js';

const TYPES = ['instance_type', 'group_type', 'project_type'];
const STATUSES = ['active', 'paused', 'online', 'offline', 'never_contacted', 'stale'];
/** Ci::Runner::AVAILABLE_SCOPES: legacy types, types and statuses. */
const SCOPES = ['specific', 'shared', ...TYPES, ...STATUSES];

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const updateBody = z.looseObject({
  description: z.string().max(1024).optional(),
  active: flag.optional(),
  paused: flag.optional(),
  tag_list: tagListSchema.optional(),
  run_untagged: flag.optional(),
  locked: flag.optional(),
  access_level: z.enum(['not_protected', 'ref_protected']).optional(),
  maximum_timeout: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number), z.null()]).optional(),
  maintenance_note: z.string().max(1024).optional(),
});
const UPDATABLE = ['description', 'active', 'paused', 'tag_list', 'run_untagged', 'locked', 'access_level', 'maximum_timeout', 'maintenance_note'];

type Query = Record<string, string | string[] | undefined>;
type RunnerReq = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;
type Filtered = { ok: true; runners: RunnerRecord[] } | { ok: false; error: string; code: 400 };

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function inScope(r: RunnerRecord, scope: string, now: number): boolean {
  if (scope === 'shared') return r.runnerType === 'instance_type';
  if (scope === 'specific') return r.runnerType !== 'instance_type';
  if (TYPES.includes(scope)) return r.runnerType === scope;
  return hasStatus(r, scope, now);
}

/** GitLab's filter params: scope (deprecated), type, status, paused, tag_list (all of them). */
export function filterRunners(runners: readonly RunnerRecord[], q: Query, scopes: readonly string[], now: number): Filtered {
  const scope = one(q.scope);
  const type = one(q.type);
  const status = one(q.status);
  const paused = one(q.paused);
  if (scope !== undefined && !SCOPES.includes(scope)) return { ok: false, code: 400, error: 'scope does not have a valid value' };
  if (type !== undefined && !TYPES.includes(type)) return { ok: false, code: 400, error: 'type does not have a valid value' };
  if (status !== undefined && !STATUSES.includes(status)) return { ok: false, code: 400, error: 'status does not have a valid value' };
  if (paused !== undefined && paused !== 'true' && paused !== 'false') return { ok: false, code: 400, error: 'paused is invalid' };
  if (scope !== undefined && !scopes.includes(scope)) return { ok: false, code: 400, error: 'Scope contains invalid value' };
  // tag_list=a,b or tag_list[]=a&tag_list[]=b (how clients such as gitbeaker send arrays).
  const rawTags = q.tag_list ?? q['tag_list[]'];
  const tags = rawTags === undefined ? [] : [rawTags].flat().flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  return {
    ok: true,
    runners: runners.filter((r) => (scope === undefined || inScope(r, scope, now)) && (type === undefined || r.runnerType === type)
      && (status === undefined || hasStatus(r, status, now)) && (paused === undefined || r.paused === (paused === 'true'))
      && tags.every((t) => r.tags.includes(t))),
  };
}

export function registerRunnerAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const projectOf = async (r: RunnerRecord): Promise<ProjectRecord | undefined> =>
    (r.projectId !== null ? ctx.store.projectById(r.projectId) : undefined);
  /** Project runners of projects the user created; every runner for an admin. */
  const owns = async (user: UserRecord, r: RunnerRecord): Promise<boolean> =>
    user.isAdmin || (r.runnerType === 'project_type' && (await projectOf(r))?.creatorId === user.id);
  const executingRunnerIds = async () => new Set((await ctx.store.executingJobs()).map((j) => j.runnerId));

  const list = async (req: RunnerReq, reply: FastifyReply, runners: RunnerRecord[], scopes: readonly string[]) => {
    const now = Date.now();
    const filtered = filterRunners(runners, req.query, scopes, now);
    if (!filtered.ok) return reply.code(filtered.code).send(filtered.error === 'Scope contains invalid value' ? { message: filtered.error } : { error: filtered.error });
    const busy = await executingRunnerIds();
    return paginate(req, reply, filtered.runners.map((r) => runnerEntity(r, now, busy.has(r.id))));
  };
  const details = async (r: RunnerRecord) => {
    const project = await projectOf(r);
    return runnerDetailsEntity(r, Date.now(), (await executingRunnerIds()).has(r.id), project ? [project] : []);
  };
  /** The runner of `:id` and the caller, or the error already sent (401, 400 bad id, 404, 403). */
  const withRunner = async (req: RunnerReq, reply: FastifyReply, need: 'read' | 'owner') => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return undefined;
    if (!/^\d+$/.test(req.params.id)) {
      await reply.code(400).send({ error: 'id is invalid' });
      return undefined;
    }
    const runner = await ctx.store.runnerById(Number(req.params.id));
    if (!runner) {
      await reply.code(404).send({ message: '404 Runner Not Found' });
      return undefined;
    }
    // Instance runners are visible to every signed-in user; changing one takes an admin.
    const allowed = need === 'read' && runner.runnerType === 'instance_type' ? true : await owns(user, runner);
    if (!allowed) {
      await reply.code(403).send({ message: '403 Forbidden - No access granted' });
      return undefined;
    }
    return { user, runner };
  };

  app.get('/api/v4/runners', async (req: RunnerReq, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    const mine = [];
    // Without memberships only admins and the creators of projects own runners (project runners).
    for (const r of await ctx.store.listRunners(user.isAdmin ? {} : { runnerType: 'project_type' })) if (await owns(user, r)) mine.push(r);
    return list(req, reply, mine, STATUSES);
  });

  app.get('/api/v4/runners/all', async (req: RunnerReq, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    if (!user.isAdmin) return reply.code(403).send({ message: '403 Forbidden' });
    return list(req, reply, await ctx.store.listRunners(), SCOPES);
  });

  app.get('/api/v4/projects/:id/runners', async (req: RunnerReq, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await projectParam(ctx, req, reply);
    if (!project) return reply;
    return list(req, reply, await ctx.store.listRunners({ usableByProjectId: project.id }), SCOPES);
  });

  app.get('/api/v4/runners/:id', async (req: RunnerReq, reply) => {
    const found = await withRunner(req, reply, 'read');
    return found ? details(found.runner) : reply;
  });

  app.put('/api/v4/runners/:id', async (req: RunnerReq, reply) => {
    const found = await withRunner(req, reply, 'owner');
    if (!found) return reply;
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (!UPDATABLE.some((k) => raw[k] !== undefined)) {
      return reply.code(400).send({ error: `${UPDATABLE.join(', ')} are missing, at least one parameter must be provided` });
    }
    if (raw.active !== undefined && raw.paused !== undefined) return reply.code(400).send({ error: 'active, paused are mutually exclusive' });
    const parsed = updateBody.safeParse(raw);
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')} is invalid`).join(', ') });
    const b = parsed.data;
    if (typeof b.maximum_timeout === 'number' && b.maximum_timeout < 600) {
      return reply.code(400).send({ message: { maximum_timeout: ['needs to be at least 10 minutes'] } });
    }
    const change: RunnerChange = {
      ...(b.description !== undefined && { description: b.description }),
      ...(b.paused !== undefined && { paused: b.paused }),
      ...(b.active !== undefined && { paused: !b.active }),
      ...(b.tag_list !== undefined && { tags: b.tag_list }),
      ...(b.run_untagged !== undefined && { runUntagged: b.run_untagged }),
      ...(b.locked !== undefined && { locked: b.locked }),
      ...(b.access_level !== undefined && { accessLevel: b.access_level }),
      ...(b.maximum_timeout !== undefined && { maximumTimeout: b.maximum_timeout }),
    };
    const updated = await updateRunner(ctx, found.runner.id, change);
    if (!updated) return reply.code(404).send({ message: '404 Runner Not Found' });
    ctx.log.info({ runnerId: updated.id, by: found.user.username, fields: Object.keys(change) }, 'runner updated');
    return details(updated);
  });

  app.delete('/api/v4/runners/:id', async (req: RunnerReq, reply) => {
    const found = await withRunner(req, reply, 'owner');
    if (!found) return reply;
    await ctx.store.deleteRunner(found.runner.id);
    ctx.log.info({ runnerId: found.runner.id, by: found.user.username }, 'runner deleted');
    return reply.code(204).send();
  });

  app.post('/api/v4/runners/:id/reset_authentication_token', async (req: RunnerReq, reply) => {
    const found = await withRunner(req, reply, 'owner');
    if (!found) return reply;
    const partition = found.runner.runnerType === 'project_type' ? 't3_' : TOKEN_PREFIX.runner;
    const token = newToken(`glrt-${partition}`);
    await ctx.store.setRunnerTokenDigest(found.runner.id, tokenDigest(token));
    return reply.code(201).send({ token, token_expires_at: null });
  });

  app.get('/api/v4/runners/:id/jobs', async (req: RunnerReq, reply) => {
    const found = await withRunner(req, reply, 'owner');
    if (!found) return reply;
    const status = one(req.query.status);
    const sort = one(req.query.sort) ?? 'desc';
    if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) return reply.code(400).send({ error: 'status does not have a valid value' });
    if (sort !== 'asc' && sort !== 'desc') return reply.code(400).send({ error: 'sort does not have a valid value' });
    const jobs = (await ctx.store.jobsWithStatus(JOB_STATUSES))
      .filter((j) => j.runnerId === found.runner.id && (status === undefined || j.status === status))
      .sort((a, b) => (sort === 'asc' ? a.id - b.id : b.id - a.id));
    const page = paginate(req, reply, jobs);
    return runnerJobEntities(ctx, page);
  });
}

/** Job entities with GitLab's JobBasicWithProject `project` (the job's project, basic fields). */
async function runnerJobEntities(ctx: ServerContext, jobs: readonly JobRecord[]) {
  const out = [];
  for (const j of jobs) {
    const project = await ctx.store.projectById(j.projectId);
    const pipeline = await ctx.store.pipelineById(j.pipelineId);
    if (!project || !pipeline) continue;
    const [entity] = await jobEntities(ctx, project, pipeline, [j]);
    if (entity) out.push({ ...entity, project: basicProjectEntity(project) });
  }
  return out;
}
