// Who is calling: a person (PRIVATE-TOKEN / Bearer / private_token) or git Basic credentials.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord } from '../store/store.js';
import type { ServerContext } from '../services/server-context.js';
import { tokenDigest } from '../services/tokens.js';

export function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export async function userFromRequest(ctx: ServerContext, req: FastifyRequest): Promise<UserRecord | undefined> {
  const query = req.query as Record<string, unknown> | undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
  const token = headerValue(req, 'private-token') ?? bearer ?? (typeof query?.private_token === 'string' ? query.private_token : undefined);
  // No token: the web UI's session cookie (+ X-CSRF-Token for changes), see session-auth.ts.
  if (!token) return (await import('./session-auth.js')).userFromSession(ctx, req);
  return ctx.store.userByTokenDigest(tokenDigest(token));
}

/** The authenticated user, or a 401 already sent (undefined). */
export async function requireUser(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply): Promise<UserRecord | undefined> {
  const user = await userFromRequest(ctx, req);
  if (!user) {
    await reply.code(401).send({ message: '401 Unauthorized' });
    return undefined;
  }
  return user;
}

export function basicCredentials(req: FastifyRequest): { username: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(headerValue(req, 'authorization') ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}
