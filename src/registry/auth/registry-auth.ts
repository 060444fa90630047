// The registry's authorization seam. The HTTP layer computes the access a request needs
// (Docker token-spec scopes such as `repository:group/app:pull,push`) and asks a RegistryAuth;
// a refusal carries the challenge to send back. Implementations: allowAll (tests, private
// loopback registries) and tokenAuth (Docker token spec JWTs, as GitLab issues them).
import type { IncomingHttpHeaders } from 'node:http';

/** One access scope: `type:name:actions` (`repository:group/app:pull,push`, `registry:catalog:*`). */
export interface AccessScope {
  type: string;
  name: string;
  actions: string[];
}

export interface AuthChallenge {
  status: 401 | 403;
  code: 'UNAUTHORIZED' | 'DENIED';
  message: string;
  /** The `WWW-Authenticate` value for a 401. */
  wwwAuthenticate?: string;
  detail?: unknown;
}

export type AuthorizeResult = { ok: true; subject?: string } | { ok: false; challenge: AuthChallenge };

export interface RegistryAuth {
  /** Decides whether the request's credentials grant every scope in `required` (none: just "authenticated"). */
  authorize(headers: IncomingHttpHeaders, required: readonly AccessScope[], signal: AbortSignal): Promise<AuthorizeResult>;
}

/** Grants everything to everyone: for tests and registries bound to loopback. */
export function allowAll(): RegistryAuth {
  return { authorize: async () => ({ ok: true }) };
}

export function formatScope(scope: AccessScope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/**
 * Parses one scope as GitLab does: split on the first and the last `:` (names never hold `:`
 * except a registry host port, which the last-colon split keeps), actions comma-separated.
 * Returns undefined for a malformed scope.
 */
export function parseScope(text: string): AccessScope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const actions = text.slice(last + 1).split(',').map((a) => a.trim()).filter((a) => a !== '');
  const name = text.slice(first + 1, last);
  if (!name || actions.length === 0) return undefined;
  return { type: text.slice(0, first), name, actions };
}

/** Parses the `scope` query values of a token request (repeated and/or space-separated). */
export function parseScopes(values: readonly string[]): AccessScope[] {
  return values.flatMap((v) => v.split(' ')).filter((v) => v !== '').map(parseScope).filter((s): s is AccessScope => s !== undefined);
}

/** Does the granted access (the JWT's `access` claim) cover every action of `scope`? */
export function isGranted(granted: readonly AccessScope[], scope: AccessScope): boolean {
  const actions = new Set<string>();
  for (const entry of granted) {
    if (entry.type === scope.type && entry.name === scope.name) for (const a of entry.actions) actions.add(a);
  }
  return actions.has('*') || scope.actions.every((a) => actions.has(a));
}

/** `Bearer realm="..",service="..",scope="..",error=".."` with quotes escaped. */
export function bearerChallenge(realm: string, service: string, scopes: readonly AccessScope[], error?: 'invalid_token' | 'insufficient_scope'): string {
  const quote = (v: string): string => `"${v.replace(/["\\]/g, '\\$&')}"`;
  const parts = [`realm=${quote(realm)}`, `service=${quote(service)}`];
  if (scopes.length > 0) parts.push(`scope=${quote(scopes.map(formatScope).join(' '))}`);
  if (error) parts.push(`error=${quote(error)}`);
  return `Bearer ${parts.join(',')}`;
}
