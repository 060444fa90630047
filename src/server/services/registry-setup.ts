// The built-in container registry of the coordinator: OCI distribution API on the server's own
// port (/v2/), filesystem storage under <data>/registry, token auth whose realm is this server's
// /jwt/auth, and GitLab's container registry REST API. Called once by app.ts before listen.
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { createFsStorage, registryRoutes, tokenAuth, type RegistryStorage } from '../../registry/index.js';
import { registerRegistryApiRoutes } from '../http/registry-api-routes.js';
import { registerRegistryTokenRoutes } from '../http/registry-token-routes.js';
import { RegistryRepositoryIds } from './registry-repository-ids.js';
import { loadRegistrySigningKey, type RegistryTokenIssuer } from './registry-signing-key.js';
import type { ServerContext } from './server-context.js';

export interface RegistryOptions {
  /** Default true: serve /v2/ and /jwt/auth. */
  enabled?: boolean;
  /** `aud` of the tokens and `service` of the challenge; GitLab's is container_registry. */
  service?: string;
  /** `iss` of the tokens; GitLab's default is gitlab-issuer. */
  issuer?: string;
  /** Token lifetime; GitLab's default is 5 minutes. */
  tokenExpirySeconds?: number;
  /**
   * host[:port] jobs and clients use for the registry (CI_REGISTRY); default the host of the external
   * URL. Set it when an external distribution registry trusting this server's tokens is used instead.
   */
  publicHost?: string;
}

export interface MountedRegistry {
  storage: RegistryStorage;
  issuer: RegistryTokenIssuer;
  /** host[:port] of the registry as jobs see it. */
  publicHost(): string;
}

export async function mountRegistry(app: FastifyInstance, ctx: ServerContext, dataDir: string, explicitExternalUrl: boolean, options: RegistryOptions = {}): Promise<MountedRegistry | undefined> {
  if (options.enabled === false) return undefined;
  const key = await loadRegistrySigningKey(path.join(dataDir, 'registry-token'));
  const storage = await createFsStorage(path.join(dataDir, 'registry'));
  const issuer: RegistryTokenIssuer = {
    key, service: options.service ?? 'container_registry', issuer: options.issuer ?? 'gitlab-issuer',
    expiresInSeconds: options.tokenExpirySeconds ?? 300,
  };
  // Without a configured external URL the realm is the address the client used: it reached us there.
  const realm = (headers: IncomingHttpHeaders): string =>
    explicitExternalUrl || !headers.host ? `${ctx.externalUrl}/jwt/auth` : `http://${headers.host}/jwt/auth`;
  const auth = await tokenAuth({ realm, service: issuer.service, issuer: issuer.issuer, publicKeys: [key.certificatePem] });
  await app.register(registryRoutes, { storage, auth, logger: { error: (message, err) => ctx.log.error({ err }, message) } });
  registerRegistryTokenRoutes(app, ctx, issuer);
  const publicHost = (): string => options.publicHost ?? new URL(ctx.externalUrl).host;
  registerRegistryApiRoutes(app, ctx, { storage, publicHost, ids: new RegistryRepositoryIds(path.join(dataDir, 'registry-token', 'repository-ids.json')) });
  return { storage, issuer, publicHost };
}
