// A standalone registry: a fastify app with only the registry routes, for `drydock registry serve`
// and tests. The coordinator instead registers `registryRoutes` on its own app.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RegistryAuth } from '../auth/registry-auth.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { registryRoutes, type PullThroughHook, type RegistryLogger } from './registry-routes.js';

export interface RegistryServerOptions {
  storage: RegistryStorage;
  auth: RegistryAuth;
  logger?: RegistryLogger;
  /** Serve as a pull-through mirror (see PullThroughCache). */
  pullThrough?: PullThroughHook;
}

export interface RegistryServer {
  app: FastifyInstance;
  /** Starts listening; resolves to the bound address (port 0 picks a free one). */
  listen(options: { host?: string; port?: number }): Promise<{ host: string; port: number; url: string }>;
  close(): Promise<void>;
}

export async function createRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  // Big layers stream for minutes: no request timeout, and keep-alive long enough for docker's pool.
  const app = Fastify({ logger: false, requestTimeout: 0, keepAliveTimeout: 65_000, bodyLimit: 4 * 1024 * 1024 });
  await app.register(registryRoutes, { storage: options.storage, auth: options.auth, logger: options.logger, ...(options.pullThrough ? { pullThrough: options.pullThrough } : {}) });
  return {
    app,
    async listen({ host = '127.0.0.1', port = 5000 }) {
      await app.listen({ host, port });
      const address = app.server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${shownHost}:${address.port}` };
    },
    close: () => app.close(),
  };
}
