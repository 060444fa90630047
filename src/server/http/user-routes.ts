// Users for people and scripts (GitLab's lib/api/users.rb subset): GET /user (who am I),
// POST /users and POST /users/:id/personal_access_tokens (admin only), so an admin can give a
// teammate an account and a token without touching the data directory.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../services/server-context.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from '../services/tokens.js';
import type { UserRecord } from '../store/store.js';
import { requireUser } from './request-auth.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const createUserBody = z.looseObject({
  username: z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, 'can contain only letters, digits, \'_\', \'-\' and \'.\''),
  name: z.string().min(1),
  email: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'is invalid'),
  admin: flag.optional(),
});
const SCOPES = ['api', 'read_api', 'read_user', 'read_repository', 'write_repository', 'read_registry', 'write_registry', 'create_runner', 'manage_runner', 'sudo', 'admin_mode'];
const tokenBody = z.looseObject({
  name: z.string().min(1),
  scopes: z.union([z.array(z.enum(SCOPES)), z.string().transform((s) => s.split(','))]).pipe(z.array(z.enum(SCOPES)).min(1)),
  expires_at: z.string().nullable().optional(),
});

function userFullEntity(base: string, u: UserRecord) {
  return {
    id: u.id, username: u.username, name: u.name, state: 'active', locked: false, avatar_url: null, web_url: `${base}/${u.username}`,
    created_at: u.createdAt, email: u.email, is_admin: u.isAdmin, bot: false,
  };
}

export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v4/user', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    return user ? userFullEntity(ctx.externalUrl, user) : reply;
  });

  app.post('/api/v4/users', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    if (!user.isAdmin) return reply.code(403).send({ message: '403 Forbidden' });
    const parsed = createUserBody.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ') });
    const b = parsed.data;
    try {
      const created = await ctx.store.createUser({ username: b.username, name: b.name, email: b.email, isAdmin: b.admin ?? false });
      ctx.log.info({ userId: created.id, username: created.username, by: user.username }, 'user created');
      return reply.code(201).send(userFullEntity(ctx.externalUrl, created));
    } catch {
      // The store's unique index on username is the check (no read-then-write race).
      return reply.code(409).send({ message: 'Username has already been taken' });
    }
  });

  app.post<{ Params: { id: string } }>('/api/v4/users/:id/personal_access_tokens', async (req, reply) => {
    const user = await requireUser(ctx, req, reply);
    if (!user) return reply;
    if (!user.isAdmin) return reply.code(403).send({ message: '403 Forbidden' });
    const target = /^\d+$/.test(req.params.id) ? await ctx.store.userById(Number(req.params.id)) : undefined;
    if (!target) return reply.code(404).send({ message: '404 User Not Found' });
    const parsed = tokenBody.safeParse(req.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ') });
    const token = newToken(TOKEN_PREFIX.personalAccess);
    await ctx.store.addPersonalAccessToken(target.id, parsed.data.name, tokenDigest(token), parsed.data.scopes);
    return reply.code(201).send({
      id: null, name: parsed.data.name, revoked: false, created_at: new Date().toISOString(), scopes: parsed.data.scopes,
      user_id: target.id, active: true, expires_at: parsed.data.expires_at ?? null, token,
    });
  });
}
