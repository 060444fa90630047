// The OCI distribution API (v2) as a fastify plugin: `app.register(registryRoutes, deps)` mounts
// /v2/ on any fastify app (the coordinator's, or createRegistryServer's). Within the plugin's
// encapsulation bodies are not parsed (uploads stream straight to storage) and every error is
// answered in the OCI `{"errors":[...]}` shape by one handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CancelledError } from '../../shared/abort.js';
import type { AccessScope, RegistryAuth } from '../auth/registry-auth.js';
import { RegistryError, registryErrorBody } from '../errors.js';
import { BlobService } from '../service/blob-service.js';
import { ManifestService } from '../service/manifest-service.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { deleteBlob, deleteUpload, getBlob, getUploadStatus, patchUpload, postUpload, putUpload } from './blob-handlers.js';
import { catalog, deleteManifest, getManifest, listTags, putManifest, referrers } from './manifest-handlers.js';
import type { RouteContext } from './route-context.js';
import { matchRoute, type RouteMatch } from './route-match.js';

export interface RegistryRouteDeps {
  storage: RegistryStorage;
  auth: RegistryAuth;
  /**
   * Pull-through mode (a mirror): called before every read so the content can be fetched from
   * upstream into storage first; writes are refused as distribution's proxy mode does.
   */
  pullThrough?: PullThroughHook;
}

export interface PullThroughHook {
  beforeRead(match: RouteMatch, signal: AbortSignal): Promise<void>;
}

export interface RegistryLogger {
  error(message: string, error: unknown): void;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export async function registryRoutes(app: FastifyInstance, deps: RegistryRouteDeps & { logger?: RegistryLogger }): Promise<void> {
  const blobs = new BlobService(deps.storage);
  const manifests = new ManifestService(deps.storage);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Docker-Distribution-API-Version', 'registry/2.0');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const registryError = toRegistryError(error);
    if (registryError.code === 'UNKNOWN') deps.logger?.error(`registry ${request.method} ${request.url} failed`, error);
    if (reply.sent || reply.raw.headersSent) return;
    reply.code(registryError.status).headers(registryError.headers).header('Content-Type', 'application/json');
    await reply.send(Buffer.from(JSON.stringify(registryErrorBody(registryError))));
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const matched = matchRoute(request.url);
    if (!matched) throw new RegistryError('UNSUPPORTED', `no registry route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`, { status: 404 });
    const signal = clientSignal(reply);
    const ctx: RouteContext = { request, reply, query: matched.query, signal, blobs, manifests, auth: deps.auth };
    const scopes = requiredScopes(matched.match, request.method);
    const verdict = await deps.auth.authorize(request.headers, scopes, signal);
    if (!verdict.ok) {
      const { challenge } = verdict;
      throw new RegistryError(challenge.code, challenge.message, {
        status: challenge.status,
        detail: challenge.detail,
        headers: challenge.wwwAuthenticate ? { 'WWW-Authenticate': challenge.wwwAuthenticate } : {},
      });
    }
    if (deps.pullThrough) {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new RegistryError('UNSUPPORTED', 'this registry is a pull-through mirror: push to its upstream instead');
      await deps.pullThrough.beforeRead(matched.match, signal);
    }
    await dispatch(ctx, matched.match, request.method);
  };
  app.route({ method: [...METHODS], url: '/v2', handler, exposeHeadRoute: false });
  app.route({ method: [...METHODS], url: '/v2/*', handler, exposeHeadRoute: false });
}

async function dispatch(ctx: RouteContext, m: RouteMatch, method: string): Promise<void> {
  const head = method === 'HEAD';
  switch (m.route) {
    case 'base':
      if (method === 'GET' || head) return void (await ctx.reply.header('Content-Type', 'application/json').send(Buffer.from('{}')));
      break;
    case 'catalog':
      if (method === 'GET') return catalog(ctx);
      break;
    case 'tags':
      if (method === 'GET') return listTags(ctx, m.name);
      break;
    case 'referrers':
      if (method === 'GET') return referrers(ctx, m.name, m.digest);
      break;
    case 'manifest':
      if (method === 'GET' || head) return getManifest(ctx, m.name, m.reference, head);
      if (method === 'PUT') return putManifest(ctx, m.name, m.reference);
      if (method === 'DELETE') return deleteManifest(ctx, m.name, m.reference);
      break;
    case 'blob':
      if (method === 'GET' || head) return getBlob(ctx, m.name, m.digest, head);
      if (method === 'DELETE') return deleteBlob(ctx, m.name, m.digest);
      break;
    case 'uploads':
      if (method === 'POST') return postUpload(ctx, m.name);
      break;
    case 'upload':
      if (method === 'GET') return getUploadStatus(ctx, m.name, m.id);
      if (method === 'PATCH') return patchUpload(ctx, m.name, m.id);
      if (method === 'PUT') return putUpload(ctx, m.name, m.id);
      if (method === 'DELETE') return deleteUpload(ctx, m.name, m.id);
      break;
  }
  throw new RegistryError('UNSUPPORTED', `${method} is not supported on this registry route`);
}

/** The token-spec access a request needs, as distribution requires it. */
export function requiredScopes(m: RouteMatch, method: string): AccessScope[] {
  if (m.route === 'base') return [];
  if (m.route === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  const repository = (actions: string[]): AccessScope[] => [{ type: 'repository', name: m.name, actions }];
  if (method === 'DELETE' && (m.route === 'manifest' || m.route === 'blob')) return repository(['delete']);
  if (m.route === 'uploads' || m.route === 'upload' || (m.route === 'manifest' && method === 'PUT')) return repository(['pull', 'push']);
  return repository(['pull']);
}

function clientSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new CancelledError('the client closed the connection'));
  });
  return controller.signal;
}

function toRegistryError(error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new RegistryError('UNSUPPORTED', (error as Error).message, { status });
  }
  return new RegistryError('UNKNOWN', 'internal registry error');
}
