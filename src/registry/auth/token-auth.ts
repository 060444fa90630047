// The registry side of the Docker token spec: Bearer JWTs checked for signature (one of the
// trusted public keys, picked by `kid` when it names one), issuer, audience == service, exp/nbf
// (60 s leeway as distribution 3), and an `access` claim covering every required scope.
// Anything else gets a 401 with a `WWW-Authenticate: Bearer realm=..,service=..,scope=..` challenge.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { jwkThumbprint, libtrustKeyId } from './key-id.js';
import { bearerChallenge, isGranted, type AccessScope, type AuthorizeResult, type RegistryAuth } from './registry-auth.js';

export interface TokenAuthOptions {
  /**
   * Where clients get tokens, e.g. `https://gitlab.example.com/jwt/auth`; a function picks it per
   * request (a coordinator without a configured external URL answers with the Host the client used).
   */
  realm: string | ((headers: IncomingHttpHeaders) => string);
  /** Must equal the tokens' `aud` (`container_registry` in GitLab). */
  service: string;
  /** Trusted `iss` value(s). */
  issuer: string | string[];
  /** Trusted public keys: KeyObjects or PEM (SPKI public keys or X.509 certificates). */
  publicKeys: Array<KeyObject | string>;
  clockToleranceSeconds?: number;
  now?: () => Date;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

interface TrustedKey { key: KeyObject; ids: Set<string> }

export async function tokenAuth(options: TokenAuthOptions): Promise<RegistryAuth> {
  if (options.publicKeys.length === 0) throw new Error('tokenAuth needs at least one trusted public key');
  const trusted: TrustedKey[] = [];
  for (const input of options.publicKeys) {
    const key = typeof input === 'string' ? createPublicKey(input) : input.type === 'private' ? createPublicKey(input) : input;
    trusted.push({ key, ids: new Set([libtrustKeyId(key), await jwkThumbprint(key)]) });
  }
  const realmFor = typeof options.realm === 'string' ? () => options.realm as string : options.realm;
  const refuse = (headers: IncomingHttpHeaders, scopes: readonly AccessScope[], message: string, error?: 'invalid_token' | 'insufficient_scope'): AuthorizeResult => ({
    ok: false,
    challenge: {
      status: 401,
      code: 'UNAUTHORIZED',
      message,
      wwwAuthenticate: bearerChallenge(realmFor(headers), options.service, scopes, error),
      detail: scopes.length > 0 ? scopes.map((s) => ({ Type: s.type, Name: s.name, Action: s.actions.join(',') })) : undefined,
    },
  });

  return {
    async authorize(headers: IncomingHttpHeaders, required: readonly AccessScope[]): Promise<AuthorizeResult> {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
      if (!match?.[1]) return refuse(headers, required, 'authentication required');
      const token = match[1];
      let payload: JWTPayload;
      try {
        payload = await verify(token, trusted, options);
      } catch (error) {
        return refuse(headers, required, `invalid token: ${(error as Error).message}`, 'invalid_token');
      }
      const granted = readAccess(payload.access);
      const missing = required.filter((scope) => !isGranted(granted, scope));
      if (missing.length > 0) return refuse(headers, required, 'the token does not grant the access this request needs', 'insufficient_scope');
      return typeof payload.sub === 'string' ? { ok: true, subject: payload.sub } : { ok: true };
    },
  };
}

async function verify(token: string, trusted: readonly TrustedKey[], options: TokenAuthOptions): Promise<JWTPayload> {
  const header = decodeProtectedHeader(token);
  const named = typeof header.kid === 'string' ? trusted.filter((t) => t.ids.has(header.kid as string)) : [];
  const candidates = named.length > 0 ? named : trusted;
  let lastError: unknown = new Error('no trusted key');
  for (const { key } of candidates) {
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer: options.issuer,
        audience: options.service,
        algorithms: ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 60,
        currentDate: options.now?.(),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** The `access` claim as scopes; malformed entries grant nothing. */
function readAccess(claim: unknown): AccessScope[] {
  if (!Array.isArray(claim)) return [];
  const scopes: AccessScope[] = [];
  for (const entry of claim) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { type, name, actions } = entry as { type?: unknown; name?: unknown; actions?: unknown };
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions)) continue;
    scopes.push({ type, name, actions: actions.filter((a): a is string => typeof a === 'string') });
  }
  return scopes;
}
