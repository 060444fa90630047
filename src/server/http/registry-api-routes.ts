// GitLab's container registry REST API (doc/api/container_registry.md), as JSON shapes GitLab uses:
//   GET    /api/v4/projects/:id/registry/repositories                    (?tags=true&tags_count=true)
//   GET    /api/v4/projects/:id/registry/repositories/:repository_id     (also /api/v4/registry/repositories/:id)
//   DELETE /api/v4/projects/:id/registry/repositories/:repository_id     (202)
//   GET    /api/v4/projects/:id/registry/repositories/:repository_id/tags
//   GET    /api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name
//   DELETE /api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name
// Any personal access token may read and delete (this server has no membership model).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RepositoryAdmin, type RegistryStorage } from '../../registry/index.js';
import { projectForRepository } from '../services/registry-access.js';
import type { RegistryRepositoryIds } from '../services/registry-repository-ids.js';
import { findProject } from '../services/projects.js';
import type { ServerContext } from '../services/server-context.js';
import type { ProjectRecord } from '../store/store.js';
import { paginate } from './paginate.js';
import { requireUser } from './request-auth.js';

export interface RegistryApiDeps {
  storage: RegistryStorage;
  ids: RegistryRepositoryIds;
  publicHost(): string;
}

interface Repo { id: number; path: string; createdAt: string; project: ProjectRecord }
type Params = { id?: string; repository_id?: string; tag_name?: string };

const truthy = (v: unknown): boolean => v === 'true' || v === '1' || v === true;

export function registerRegistryApiRoutes(app: FastifyInstance, ctx: ServerContext, deps: RegistryApiDeps): void {
  const admin = new RepositoryAdmin(deps.storage);
  const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ message: `404 ${what} Not Found` });

  async function repositoriesOf(project: ProjectRecord | undefined): Promise<Repo[]> {
    const projects = await ctx.store.listProjects();
    const paths = (await deps.storage.metadata.listRepositories(ctx.signal))
      .map((p) => ({ path: p, project: projectForRepository(projects, p) }))
      .filter((r): r is { path: string; project: ProjectRecord } => r.project !== undefined && (!project || r.project.id === project.id));
    const ids = await deps.ids.assign(paths.map((r) => r.path));
    return paths.map((r) => ({ ...r, id: ids.get(r.path)!.id, createdAt: ids.get(r.path)!.createdAt })).sort((a, b) => a.id - b.id);
  }

  const location = (path: string) => `${deps.publicHost()}/${path}`;
  const tagEntity = (repo: Repo, tag: string) => ({ name: tag, path: `${repo.path}:${tag}`, location: location(`${repo.path}:${tag}`) });

  async function repositoryEntity(repo: Repo, withTags: boolean, withCount: boolean) {
    const name = repo.path.slice(repo.project.fullPath.length + 1);
    const entity: Record<string, unknown> = {
      id: repo.id, name, path: repo.path, project_id: repo.project.id, location: location(repo.path),
      created_at: repo.createdAt, cleanup_policy_started_at: null, status: null,
    };
    if (withCount || withTags) {
      const tags = await admin.tags(repo.path, ctx.signal);
      if (withCount) entity.tags_count = tags.length;
      if (withTags) entity.tags = tags.map((t) => tagEntity(repo, t));
    }
    return entity;
  }

  /** The project (when given) and the repository the URL names, or a 401/404 already sent. */
  async function resolve(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<Repo | undefined> {
    if (!(await requireUser(ctx, req, reply))) return undefined;
    const project = req.params.id !== undefined ? await findProject(ctx, req.params.id) : undefined;
    if (req.params.id !== undefined && !project) return void notFound(reply, 'Project');
    const id = Number(req.params.repository_id);
    const repo = Number.isInteger(id) ? (await repositoriesOf(project)).find((r) => r.id === id) : undefined;
    if (!repo) return void notFound(reply, 'Repository');
    return repo;
  }

  app.get<{ Params: Params }>('/api/v4/projects/:id/registry/repositories', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    const project = await findProject(ctx, req.params.id ?? '');
    if (!project) return notFound(reply, 'Project');
    const q = req.query as Record<string, unknown>;
    const page = paginate(req, reply, await repositoriesOf(project));
    return Promise.all(page.map((r) => repositoryEntity(r, truthy(q.tags), truthy(q.tags_count))));
  });

  const showRepository = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const repo = await resolve(req, reply);
    if (!repo) return reply;
    const q = req.query as Record<string, unknown>;
    return repositoryEntity(repo, truthy(q.tags), truthy(q.tags_count));
  };
  app.get<{ Params: Params }>('/api/v4/projects/:id/registry/repositories/:repository_id', showRepository);
  app.get<{ Params: Params }>('/api/v4/registry/repositories/:repository_id', showRepository);

  app.delete<{ Params: Params }>('/api/v4/projects/:id/registry/repositories/:repository_id', async (req, reply) => {
    const repo = await resolve(req, reply);
    if (!repo) return reply;
    await admin.deleteRepository(repo.path, ctx.signal);
    ctx.log.info({ repository: repo.path }, 'registry repository deleted');
    return reply.code(202).send();
  });

  app.get<{ Params: Params }>('/api/v4/projects/:id/registry/repositories/:repository_id/tags', async (req, reply) => {
    const repo = await resolve(req, reply);
    if (!repo) return reply;
    return paginate(req, reply, await admin.tags(repo.path, ctx.signal)).map((t) => tagEntity(repo, t));
  });

  app.get<{ Params: Params }>('/api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name', async (req, reply) => {
    const repo = await resolve(req, reply);
    if (!repo) return reply;
    const tag = await admin.tag(repo.path, req.params.tag_name ?? '', ctx.signal);
    if (!tag) return notFound(reply, 'Tag');
    return {
      ...tagEntity(repo, tag.name), revision: tag.revision, short_revision: tag.revision.slice(0, 9), digest: tag.digest,
      created_at: tag.createdAt, total_size: tag.totalSize,
    };
  });

  app.delete<{ Params: Params }>('/api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name', async (req, reply) => {
    const repo = await resolve(req, reply);
    if (!repo) return reply;
    if (!(await admin.deleteTag(repo.path, req.params.tag_name ?? '', ctx.signal))) return notFound(reply, 'Tag');
    return reply.code(200).send();
  });
}
