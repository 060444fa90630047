// Git smart HTTP: /<namespace>/<project>.git/{info/refs,git-upload-pack,git-receive-pack}.
// Basic auth: any username + a personal access token (read/write), or gitlab-ci-token + the token
// of a running job of this very project (read only). Public projects can be cloned anonymously.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { serveGitHttp } from '../git/git-http-backend.js';
import { diffRefs, handlePush } from '../services/handle-push.js';
import type { ServerContext } from '../services/server-context.js';
import { tokenDigest } from '../services/tokens.js';
import type { ProjectRecord } from '../store/store.js';
import { basicCredentials } from './request-auth.js';

const GIT_PATH = /^\/(.+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

type Access = { ok: true; write: boolean; user: string; userId: number | null } | { ok: false; code: 401 | 403 | 404; message: string };

export function registerGitRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: async (req, reply) => {
      const url = new URL(req.url, 'http://x');
      const m = GIT_PATH.exec(decodeURIComponent(url.pathname));
      if (!m?.[1] || !m[2]) return reply.code(404).send({ message: '404 Not Found' });
      const project = await ctx.store.projectByPath(m[1]);
      const service = m[2] === 'info/refs' ? url.searchParams.get('service') ?? 'git-upload-pack' : m[2];
      const wantsWrite = service === 'git-receive-pack';
      const access = await authorize(ctx, req, project, wantsWrite);
      if (!access.ok || !project) {
        const denied = access.ok ? { code: 404 as const, message: 'The project you were looking for could not be found.' } : access;
        if (denied.code === 401) void reply.header('WWW-Authenticate', 'Basic realm="GitLab"');
        return reply.code(denied.code).type('text/plain').send(`${denied.message}\n`);
      }
      return serve(ctx, req, reply, project, `/${project.fullPath}.git/${m[2]}`, url.search.replace(/^\?/, ''), access);
    },
  });
}

async function serve(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, project: ProjectRecord, pathInfo: string,
  query: string, access: Extract<Access, { ok: true }>): Promise<FastifyReply> {
  const push = req.method === 'POST' && pathInfo.endsWith('/git-receive-pack');
  reply.hijack();
  const run = async () => {
    const before = push ? await ctx.repos.refs(project.fullPath, ctx.signal) : undefined;
    await serveGitHttp({
      projectRoot: ctx.repos.root, pathInfo, method: req.method, query, headers: req.headers,
      body: req.method === 'POST' ? (req.body as Readable) : undefined, remoteUser: access.user, remoteAddr: req.ip, signal: ctx.signal,
    }, reply.raw, async () => {
      // Pipelines exist before `git push` returns, like a post-receive hook that finished.
      if (before) await handlePush(ctx, project, diffRefs(before, await ctx.repos.refs(project.fullPath, ctx.signal)), access.userId);
    });
  };
  await (push ? ctx.locks.run(`push:${project.id}`, run) : run()).catch((err: unknown) => {
    ctx.log.error({ err: err instanceof Error ? err.message : String(err), project: project.fullPath }, 'git http-backend failed');
    if (!reply.raw.headersSent) reply.raw.writeHead(500);
    reply.raw.end();
  });
  return reply;
}

async function authorize(ctx: ServerContext, req: FastifyRequest, project: ProjectRecord | undefined, write: boolean): Promise<Access> {
  const creds = basicCredentials(req);
  if (!creds) {
    if (project?.visibility === 'public' && !write) return { ok: true, write: false, user: '', userId: null };
    return { ok: false, code: 401, message: 'HTTP Basic: Access denied' };
  }
  if (creds.username === 'gitlab-ci-token') {
    const job = await ctx.store.jobByTokenDigest(tokenDigest(creds.password));
    if (!job || !['running', 'canceling'].includes(job.status)) return { ok: false, code: 401, message: 'HTTP Basic: Access denied' };
    if (!project || job.projectId !== project.id) {
      return { ok: false, code: 403, message: 'Authentication by CI/CD job token not allowed from this project' };
    }
    if (write) return { ok: false, code: 403, message: 'You are not allowed to push code to this project.' };
    return { ok: true, write: false, user: 'gitlab-ci-token', userId: job.userId };
  }
  const user = await ctx.store.userByTokenDigest(tokenDigest(creds.password));
  if (!user) return { ok: false, code: 401, message: 'HTTP Basic: Access denied' };
  return { ok: true, write: true, user: user.username, userId: user.id };
}
