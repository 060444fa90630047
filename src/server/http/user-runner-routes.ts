// POST /api/v4/user/runners: the current way to create a runner (server facts §1.6). A person with
// a token creates it server-side and gets a glrt- token; `gitlab-runner register --token glrt-...`
// then only calls POST /runners/verify.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tagListSchema } from '../../protocol/index.js';
import { findProject } from '../services/projects.js';
import type { ServerContext } from '../services/server-context.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from '../services/tokens.js';
import { requireUser } from './request-auth.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const createRunnerBody = z.looseObject({
  runner_type: z.enum(['instance_type', 'group_type', 'project_type']),
  project_id: z.union([z.number().int(), z.string()]).optional(),
  group_id: z.union([z.number().int(), z.string()]).optional(),
  description: z.string().optional(),
  maintenance_note: z.string().optional(),
  paused: flag.optional(),
  locked: flag.optional(),
  run_untagged: flag.optional(),
  tag_list: tagListSchema.optional(),
  access_level: z.enum(['not_protected', 'ref_protected']).optional(),
  maximum_timeout: z.coerce.number().int().positive().optional(),
});

export function registerUserRunnerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v4/user/runners', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    const parsed = createRunnerBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ') });
    }
    const b = parsed.data;
    if (b.runner_type === 'group_type') return reply.code(400).send({ message: 'group runners are not supported yet: use instance_type or project_type' });
    let projectId: number | null = null;
    if (b.runner_type === 'project_type') {
      const project = b.project_id === undefined ? undefined : await findProject(ctx, String(b.project_id));
      if (!project) return reply.code(b.project_id === undefined ? 400 : 403).send({ message: b.project_id === undefined ? 'project_id is missing' : '403 Forbidden' });
      projectId = project.id;
    } else if (!user.isAdmin) {
      return reply.code(403).send({ message: '403 Forbidden' });
    }
    const partition = b.runner_type === 'project_type' ? 't3_' : TOKEN_PREFIX.runner;
    const token = newToken(`glrt-${partition}`);
    const tags = b.tag_list ?? [];
    const runner = await ctx.store.createRunner({
      description: b.description ?? '', tags, runUntagged: b.run_untagged ?? true, locked: b.locked ?? false,
      accessLevel: b.access_level ?? 'not_protected', paused: b.paused ?? false, maximumTimeout: b.maximum_timeout ?? null,
      runnerType: b.runner_type, projectId,
    }, tokenDigest(token));
    ctx.log.info({ runnerId: runner.id, runnerType: b.runner_type, projectId }, 'runner created');
    return reply.code(201).send({ id: runner.id, token, token_expires_at: null });
  });
}
