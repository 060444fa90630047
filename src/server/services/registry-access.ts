// Who may do what in the container registry (GitLab's ContainerRegistryAuthenticationService,
// server facts §4.2): credentials → principal, then each requested scope is intersected with the
// principal's abilities (never an error, only fewer actions). This server has no membership model:
// like its git hosting, any personal access token reads and writes every project.
//   anonymous   pull on public projects
//   user (PAT)  pull, push, delete on any project; `*` and the catalog only for administrators
//   job token   of a running job: pull, push, delete on its own project's repositories;
//               pull on public projects; never push or delete anywhere else
import type { AccessScope } from '../../registry/index.js';
import { isRepositoryName } from '../../registry/index.js';
import type { JobRecord, ProjectRecord, UserRecord } from '../store/store.js';
import type { ServerContext } from './server-context.js';
import { tokenDigest } from './tokens.js';

export type RegistryPrincipal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: UserRecord }
  | { kind: 'job'; job: JobRecord; project: ProjectRecord; user: UserRecord | undefined };

export interface GrantedScope extends AccessScope {
  meta?: { project_path: string; project_id: number };
}

/** Registry paths may go at most this many components below the project path (GitLab's rule). */
export const MAX_EXTRA_PATH_COMPONENTS = 2;

const JOB_TOKEN_USER = 'gitlab-ci-token';
const LIVE_JOB = new Set(['running', 'canceling']);

/** undefined = wrong credentials (401). Without credentials the caller is anonymous. */
export async function registryPrincipal(ctx: ServerContext, creds: { username: string; password: string } | undefined): Promise<RegistryPrincipal | undefined> {
  if (!creds) return { kind: 'anonymous' };
  const digest = tokenDigest(creds.password);
  if (creds.username === JOB_TOKEN_USER) {
    const job = await ctx.store.jobByTokenDigest(digest);
    if (job) {
      if (!LIVE_JOB.has(job.status)) return undefined; // the token dies with the job
      const project = await ctx.store.projectById(job.projectId);
      if (!project) return undefined;
      const user = job.userId !== null ? await ctx.store.userById(job.userId) : undefined;
      return { kind: 'job', job, project, user };
    }
  }
  // Any username with a personal access token, as GitLab and docker login accept.
  const user = await ctx.store.userByTokenDigest(digest);
  return user ? { kind: 'user', user } : undefined;
}

export function principalName(p: RegistryPrincipal): string | undefined {
  return p.kind === 'user' ? p.user.username : p.kind === 'job' ? JOB_TOKEN_USER : undefined;
}

/**
 * The project a registry path belongs to: the longest leading run of path components that is a
 * project (case-insensitively, registry paths being lowercase), with at most two more below it.
 */
export function projectForRepository(projects: readonly ProjectRecord[], name: string): ProjectRecord | undefined {
  if (!isRepositoryName(name)) return undefined;
  const byPath = new Map(projects.map((p) => [p.fullPath.toLowerCase(), p]));
  const parts = name.split('/');
  for (let n = parts.length; n >= 1; n--) {
    const project = byPath.get(parts.slice(0, n).join('/'));
    if (project) return parts.length - n <= MAX_EXTRA_PATH_COMPONENTS ? project : undefined;
  }
  return undefined;
}

function allowedActions(p: RegistryPrincipal, project: ProjectRecord): Set<string> {
  const publicPull = project.visibility === 'public' ? ['pull'] : [];
  switch (p.kind) {
    case 'anonymous':
      return new Set(publicPull);
    case 'user':
      return new Set(p.user.isAdmin ? ['pull', 'push', 'delete', '*'] : ['pull', 'push', 'delete']);
    case 'job':
      return new Set(p.project.id === project.id ? ['pull', 'push', 'delete'] : publicPull);
  }
}

/** Intersects every requested scope with what `principal` may do; scopes left with no action are dropped. */
export async function grantRegistryScopes(ctx: ServerContext, principal: RegistryPrincipal, requested: readonly AccessScope[]): Promise<GrantedScope[]> {
  const projects = requested.some((s) => s.type === 'repository') ? await ctx.store.listProjects() : [];
  const granted: GrantedScope[] = [];
  for (const scope of requested) {
    if (scope.type === 'registry' && scope.name === 'catalog') {
      if (principal.kind === 'user' && principal.user.isAdmin && scope.actions.includes('*')) granted.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      continue;
    }
    if (scope.type !== 'repository') continue;
    const project = projectForRepository(projects, scope.name);
    if (!project) continue;
    const allowed = allowedActions(principal, project);
    const actions = [...new Set(scope.actions)].filter((a) => allowed.has(a));
    if (actions.length === 0) continue;
    granted.push({ type: 'repository', name: scope.name, actions, meta: { project_path: project.fullPath, project_id: project.id } });
  }
  return granted;
}
