// Creating and finding projects: a store record plus a bare repository.
import type { ProjectRecord, UserRecord } from '../store/store.js';
import type { ServerContext } from './server-context.js';

const SEGMENT = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;

export interface ProjectInput {
  name?: string | undefined;
  path?: string | undefined;
  namespacePath?: string | undefined;
  description?: string | undefined;
  defaultBranch?: string | undefined;
  visibility?: string | undefined;
}

export type CreateProjectResult = { ok: true; project: ProjectRecord } | { ok: false; status: 400; message: Record<string, string[]> };

export async function createProject(ctx: ServerContext, input: ProjectInput, creator: UserRecord): Promise<CreateProjectResult> {
  const path = input.path ?? input.name?.trim().replace(/\s+/g, '-');
  const name = input.name ?? path;
  const namespacePath = (input.namespacePath ?? creator.username).replace(/^\/+|\/+$/g, '');
  if (!path || !name) return { ok: false, status: 400, message: { name: ["can't be blank"] } };
  if (!SEGMENT.test(path) || path.endsWith('.git') || path.endsWith('.atom')) {
    return { ok: false, status: 400, message: { path: ['can contain only letters, digits, \'_\', \'-\' and \'.\'. Cannot start with \'-\', end in \'.git\' or end in \'.atom\''] } };
  }
  if (!namespacePath.split('/').every((s) => SEGMENT.test(s))) return { ok: false, status: 400, message: { namespace: ['is not valid'] } };
  const visibility = input.visibility ?? 'private';
  if (!['private', 'internal', 'public'].includes(visibility)) return { ok: false, status: 400, message: { visibility: ['does not have a valid value'] } };
  const fullPath = `${namespacePath}/${path}`;
  if (await ctx.store.projectByPath(fullPath)) return { ok: false, status: 400, message: { path: ['has already been taken'] } };
  const defaultBranch = input.defaultBranch ?? 'main';
  await ctx.repos.create(fullPath, defaultBranch, ctx.signal);
  const project = await ctx.store.createProject({
    name, path, namespacePath, fullPath, description: input.description ?? '', defaultBranch,
    visibility: visibility as ProjectRecord['visibility'], ciConfigPath: '.gitlab-ci.yml', creatorId: creator.id,
  });
  ctx.log.info({ projectId: project.id, fullPath }, 'project created');
  return { ok: true, project };
}

/** `:id` of the REST API: a numeric id or a URL-encoded full path. */
export async function findProject(ctx: ServerContext, idOrPath: string): Promise<ProjectRecord | undefined> {
  if (/^\d+$/.test(idOrPath)) return ctx.store.projectById(Number(idOrPath));
  return ctx.store.projectByPath(decodeURIComponent(idOrPath));
}
