// The coordinator's composition root: store, git hosting, services and HTTP routes in one fastify app.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { bootstrapCredentials, type InitialCredentials } from './bootstrap.js';
import { GitRepos } from './git/git-repos.js';
import { ArtifactFiles } from './artifacts/artifact-files.js';
import { registerArtifactRoutes } from './http/artifact-routes.js';
import { registerGitRoutes } from './http/git-routes.js';
import { registerJobRoutes } from './http/job-routes.js';
import { registerPipelineRoutes } from './http/pipeline-routes.js';
import { registerProjectRoutes } from './http/project-routes.js';
import { registerRunnerRoutes } from './http/runner-routes.js';
import { registerUserRunnerRoutes } from './http/user-runner-routes.js';
import { KeyedMutex } from './services/keyed-mutex.js';
import { JobTimers } from './services/job-timers.js';
import { resumeDelayedJobs } from './services/pipeline-processor.js';
import { ServerEvents } from './services/server-events.js';
import { registerStreamRoutes } from './http/stream-routes.js';
import { registerResourceGroupRoutes } from './http/resource-group-routes.js';
import { QueueNotifier } from './services/queue-notifier.js';
import { DEFAULT_STALE_LIMITS, sweepStaleJobs, type StaleLimits } from './services/stale-jobs.js';
import { recoverPipelines } from './services/recover-pipelines.js';
import { mirrorChild, startDownstream } from './services/downstream-pipeline.js';
import type { ServerContext } from './services/server-context.js';
import { openStore } from './store/open-store.js';
import { requireUser } from './http/request-auth.js';
import { mountRegistry, type RegistryOptions } from './services/registry-setup.js';

/** The GitLab version whose API this server follows (clients feature-detect on it). */
export const SERVER_VERSION = '17.0.0';

export interface ServerOptions {
  dataDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** URL runners and people use (CI_SERVER_URL); default http://<host>:<port>. */
  externalUrl?: string;
  /** pino logging; false in tests. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  longPollSeconds?: number;
  traceUpdateIntervalSeconds?: number;
  defaultTimeoutSeconds?: number;
  /** Largest artifact upload accepted (413 above). */
  maxArtifactMegabytes?: number;
  /** When a running job counts as abandoned by its runner. */
  staleLimits?: StaleLimits;
  /** postgres://... to keep the data in PostgreSQL; default SQLite in dataDir. */
  databaseUrl?: string;
  /** The built-in container registry (/v2/ and /jwt/auth on this port); on unless enabled: false. */
  registry?: RegistryOptions;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** Present only on the first start of a data directory. */
  credentials: InitialCredentials | undefined;
  /** Drops jobs whose runner stopped reporting (also runs every minute); returns their ids. */
  sweepStaleJobs(now?: number): Promise<number[]>;
  /** Job requests currently held by long polling. */
  waitingJobRequests(): number;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(path.join(dataDir, 'repos'), { recursive: true });
  const store = await openStore(dataDir, options.databaseUrl);
  const credentials = await bootstrapCredentials(store, dataDir);
  const level = options.logLevel ?? 'info';
  const app = Fastify({
    logger: level === 'silent' ? false : { level },
    // Runners poll every few seconds: log what happens (services), not every request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
  });
  const shutdown = new AbortController();
  const queue = new QueueNotifier();
  const artifactFiles = new ArtifactFiles(path.join(dataDir, 'artifacts'));
  const ctx: ServerContext = {
    store, repos: new GitRepos(path.join(dataDir, 'repos')), queue, locks: new KeyedMutex(), events: new ServerEvents(), timers: new JobTimers(), log: app.log,
    externalUrl: options.externalUrl?.replace(/\/+$/, '') ?? '', defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 3600,
    signal: shutdown.signal,
    downstream: { start: (bridgeId) => startDownstream(ctx, bridgeId, artifactFiles), finished: (child) => mirrorChild(ctx, child) },
  };
  addBodyParsers(app);
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error({ err }, 'request failed');
    void reply.code(status).send({ message: status === 500 ? '500 Internal Server Error' : err.message });
  });
  registerRunnerRoutes(app, ctx, {
    longPollMs: (options.longPollSeconds ?? 50) * 1000,
    traceUpdateIntervalSeconds: options.traceUpdateIntervalSeconds ?? 3,
  });
  await registerArtifactRoutes(app, ctx, artifactFiles, (options.maxArtifactMegabytes ?? 1024) * 1024 * 1024);
  registerUserRunnerRoutes(app, ctx);
  (await import('./http/runner-admin-routes.js')).registerRunnerAdminRoutes(app, ctx); // people's runner REST (H10)
  (await import('./http/user-routes.js')).registerUserRoutes(app, ctx); // GET /user, POST /users, tokens (H10)
  registerProjectRoutes(app, ctx);
  registerPipelineRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerStreamRoutes(app, ctx);
  registerResourceGroupRoutes(app, ctx);
  (await import('./http/ui-routes.js')).registerUiRoutes(app, ctx); // web UI pages, assets, sign-in (H5)
  registerGitRoutes(app, ctx);
  const registry = await mountRegistry(app, ctx, dataDir, options.externalUrl !== undefined, options.registry);
  ctx.registryHost = () => registry?.publicHost() ?? null;
  app.get('/-/health', async () => ({ status: 'ok', waiting_job_requests: queue.waiting() }));
  app.get('/api/v4/version', async (req, reply) => {
    if (!(await requireUser(ctx, req, reply))) return reply;
    return { version: SERVER_VERSION, revision: 'drydock', kas: { enabled: false }, enterprise: false };
  });

  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  } catch (err) {
    await store.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = ctx.externalUrl || `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  ctx.externalUrl = url;
  const limits = options.staleLimits ?? DEFAULT_STALE_LIMITS;
  const sweep = (now?: number) => sweepStaleJobs(ctx, limits, now);
  // Crash recovery: finish pipeline processing a kill interrupted, then drop jobs nobody reports on.
  await recoverPipelines(ctx);
  await resumeDelayedJobs(ctx);
  const sweepLogged = () => sweep().catch((err: unknown) => app.log.error({ err }, 'stale job sweep failed'));
  void sweepLogged();
  const sweeper = setInterval(sweepLogged, Math.min(60_000, Math.max(500, limits.noUpdateSeconds * 250)));
  sweeper.unref();
  let closing: Promise<void> | undefined;
  return {
    url, app, credentials, sweepStaleJobs: sweep, waitingJobRequests: () => queue.waiting(),
    close: () => (closing ??= (async () => {
      clearInterval(sweeper);
      ctx.timers.close();
      shutdown.abort();
      queue.releaseAll();
      await app.close();
      await store.close();
    })()),
  };
}

function addBodyParsers(app: FastifyInstance): void {
  // git's pack streams go to git http-backend untouched.
  app.addContentTypeParser(['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'],
    (_req, payload, done) => done(null, payload));
  // Trace PATCHes are raw bytes, whatever the content type says.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}
