// GET /jwt/auth: the token server of Docker's token auth spec, as GitLab's JwtController answers
// it. Basic credentials (any username + personal access token, or gitlab-ci-token + a running
// job's token, or none for anonymous), `service` must be ours, every `scope` (repeated and/or
// space-separated) is intersected with what the caller may do; the JWT says what was granted.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { issueRegistryToken, parseScopes } from '../../registry/index.js';
import { grantRegistryScopes, principalName, registryPrincipal } from '../services/registry-access.js';
import type { RegistryTokenIssuer } from '../services/registry-signing-key.js';
import type { ServerContext } from '../services/server-context.js';
import { basicCredentials } from './request-auth.js';

function errors(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send({ errors: [{ code, message }] });
}

export function registerRegistryTokenRoutes(app: FastifyInstance, ctx: ServerContext, issuer: RegistryTokenIssuer): void {
  app.get('/jwt/auth', async (req, reply) => {
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    const service = query.get('service');
    if (service !== issuer.service) {
      return errors(reply, 404, 'UNAVAILABLE', `unknown service "${String(service).slice(0, 100)}": this server issues tokens for "${issuer.service}"`);
    }
    const principal = await registryPrincipal(ctx, basicCredentials(req));
    if (!principal) {
      return errors(reply, 401, 'UNAUTHORIZED', 'HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you\'re required to use a token instead of a password. Use a personal access token, or gitlab-ci-token with $CI_JOB_TOKEN.');
    }
    const requested = parseScopes(query.getAll('scope'));
    if (principal.kind === 'anonymous' && requested.length === 0) return errors(reply, 403, 'DENIED', 'access forbidden');
    const access = await grantRegistryScopes(ctx, principal, requested);
    const subject = principalName(principal);
    const authType = principal.kind === 'job' ? 'build' : principal.kind === 'user' ? 'personal_access_token' : 'none';
    const issued = await issueRegistryToken({
      privateKey: issuer.key.privateKey, issuer: issuer.issuer, audience: issuer.service, access,
      expiresInSeconds: issuer.expiresInSeconds, certificateChain: [issuer.key.certificateDer],
      extraClaims: { auth_type: authType }, ...(subject ? { subject } : {}),
    });
    if (principal.kind === 'job') {
      ctx.log.info({ jobId: principal.job.id, access: access.map((a) => `${a.name}:${a.actions.join(',')}`) }, 'registry token for job');
    }
    return reply.header('cache-control', 'no-store').send({
      token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt.toISOString(),
    });
  });
}
