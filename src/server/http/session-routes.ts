// Sign in with a personal access token (POST /users/sign_in), who am I (GET /-/ui/session) and
// sign out (DELETE /-/ui/session, CSRF header required).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../services/server-context.js';
import { tokenDigest } from '../services/tokens.js';
import type { UserRecord } from '../store/store.js';
import { CSRF_HEADER, createSession, revokeSession, sessionFromRequest, setSessionCookie } from './session-auth.js';

function who(user: UserRecord) {
  return { id: user.id, username: user.username, name: user.name, is_admin: user.isAdmin };
}

export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/users/sign_in', async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    const token = typeof body?.token === 'string' ? body.token.trim() : '';
    if (!token) return reply.code(400).send({ message: 'Enter a personal access token.' });
    const digest = tokenDigest(token);
    const user = await ctx.store.userByTokenDigest(digest);
    if (!user) return reply.code(401).send({ message: 'That token is not valid (expired, revoked or mistyped).' });
    const s = await createSession(ctx, user, digest);
    setSessionCookie(req, reply, s.jwt, s.maxAge);
    return { user: who(user), csrf_token: s.csrf };
  });

  app.get('/-/ui/session', async (req, reply) => {
    const session = await sessionFromRequest(ctx, req);
    void reply.header('cache-control', 'no-store');
    if (!session) return reply.code(401).send({ message: '401 Unauthorized' });
    return { user: who(session.user), csrf_token: session.csrf };
  });

  app.delete('/-/ui/session', async (req, reply) => {
    const session = await sessionFromRequest(ctx, req);
    if (session) {
      if (req.headers[CSRF_HEADER] !== session.csrf) return reply.code(403).send({ message: '403 Forbidden: missing CSRF token' });
      await revokeSession(ctx, session);
    }
    setSessionCookie(req, reply, '', 0);
    return reply.code(204).send();
  });
}
