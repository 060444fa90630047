// The web UI's session: after sign-in with a personal access token, an httpOnly SameSite=Strict
// cookie holds a JWT (HS256, server secret kept in the store's settings) naming the user and the
// digest of the token used, so revoking the token ends the session. Requests other than
// GET/HEAD/OPTIONS that authenticate by cookie must also send `X-CSRF-Token` equal to the
// session's CSRF value (given to the page by GET /-/ui/session, never readable cross-origin).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { ServerContext } from '../services/server-context.js';
import type { UserRecord } from '../store/store.js';

export const SESSION_COOKIE = '_drydock_session';
export const CSRF_HEADER = 'x-csrf-token';
const SECRET_SETTING = 'ui_session_secret';
const REVOKED_PREFIX = 'ui_session_revoked:';
const SESSION_SECONDS = 12 * 3600;

export interface Session {
  user: UserRecord;
  csrf: string;
  jti: string;
  exp: number;
}

async function sessionSecret(ctx: ServerContext): Promise<Uint8Array> {
  return ctx.locks.run(SECRET_SETTING, async () => {
    let hex = await ctx.store.getSetting(SECRET_SETTING);
    if (!hex) {
      hex = randomBytes(32).toString('hex');
      await ctx.store.setSetting(SECRET_SETTING, hex);
    }
    return Buffer.from(hex, 'hex');
  });
}

export function cookieValue(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A signed session for `user`, who signed in with the token whose digest is `tokenDigest`. */
export async function createSession(ctx: ServerContext, user: UserRecord, tokenDigest: string): Promise<{ jwt: string; csrf: string; maxAge: number }> {
  const csrf = randomBytes(24).toString('base64url');
  const jwt = await new SignJWT({ dig: tokenDigest, csrf })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(user.id))
    .setJti(randomBytes(16).toString('hex'))
    .setIssuedAt()
    .setExpirationTime(`${SESSION_SECONDS}s`)
    .sign(await sessionSecret(ctx));
  return { jwt, csrf, maxAge: SESSION_SECONDS };
}

/** The session of the request's cookie (still valid, token not revoked), or undefined. */
export async function sessionFromRequest(ctx: ServerContext, req: FastifyRequest): Promise<Session | undefined> {
  const jwt = cookieValue(req, SESSION_COOKIE);
  if (!jwt) return undefined;
  let claims;
  try {
    claims = (await jwtVerify(jwt, await sessionSecret(ctx), { algorithms: ['HS256'] })).payload;
  } catch {
    return undefined;
  }
  const { dig, csrf, jti, sub, exp } = claims;
  if (typeof dig !== 'string' || typeof csrf !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return undefined;
  if (await ctx.store.getSetting(REVOKED_PREFIX + jti)) return undefined;
  const user = await ctx.store.userByTokenDigest(dig);
  if (!user || String(user.id) !== sub) return undefined;
  return { user, csrf, jti, exp };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** For request-auth: the cookie's user; a state-changing request also needs the CSRF header. */
export async function userFromSession(ctx: ServerContext, req: FastifyRequest): Promise<UserRecord | undefined> {
  const session = await sessionFromRequest(ctx, req);
  if (!session) return undefined;
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrf)) return undefined;
  }
  return session.user;
}

/** Signs the session out for good (a copied cookie stops working too). */
export async function revokeSession(ctx: ServerContext, session: Session): Promise<void> {
  await ctx.store.setSetting(REVOKED_PREFIX + session.jti, String(session.exp));
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, value: string, maxAge: number): void {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  void reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
}
