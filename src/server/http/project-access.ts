// Who may read a project: any signed-in user (this server has no memberships yet) or, for a
// `public` project, anyone without a token, as on GitLab. What an anonymous caller gets for a
// private/internal project follows GitLab's API families:
//   'project' (projects, pipelines: authenticate_non_get!) → 404 "Project Not Found";
//   'jobs'    (jobs, traces, artifacts: authenticate! first) → 401.
// A token that was sent but is wrong is always 401. Mutations keep using requireUser.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findProject } from '../services/projects.js';
import type { ServerContext } from '../services/server-context.js';
import type { ProjectRecord, UserRecord } from '../store/store.js';
import { headerValue, userFromRequest } from './request-auth.js';
import { cookieValue, SESSION_COOKIE } from './session-auth.js';

export type ApiFamily = 'project' | 'jobs';

export interface ProjectReader {
  project: ProjectRecord;
  /** undefined: an anonymous reader of a public project. */
  user: UserRecord | undefined;
}

/**
 * True when the request carries credentials: a personal access token (header, Bearer or query) or
 * the web UI's session cookie. Wrong ones are a 401, never an anonymous read: the UI takes a 401
 * as "the session ended" and sends the person to sign in.
 */
export function sentToken(req: FastifyRequest): boolean {
  const query = req.query as Record<string, unknown> | undefined;
  return headerValue(req, 'private-token') !== undefined || /^Bearer\s+/i.test(headerValue(req, 'authorization') ?? '')
    || typeof query?.private_token === 'string' || cookieValue(req, SESSION_COOKIE) !== undefined;
}

/** The project of `:id` if the caller may read it; otherwise undefined with the error already sent. */
export async function readableProject(ctx: ServerContext, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply,
  family: ApiFamily): Promise<ProjectReader | undefined> {
  const user = await userFromRequest(ctx, req);
  if (!user && sentToken(req)) {
    await reply.code(401).send({ message: '401 Unauthorized' });
    return undefined;
  }
  const project = await findProject(ctx, req.params.id);
  if (user) {
    if (project) return { project, user };
    await reply.code(404).send({ message: '404 Project Not Found' });
    return undefined;
  }
  if (project?.visibility === 'public') return { project, user: undefined };
  if (family === 'jobs') await reply.code(401).send({ message: '401 Unauthorized' });
  else await reply.code(404).send({ message: '404 Project Not Found' });
  return undefined;
}
