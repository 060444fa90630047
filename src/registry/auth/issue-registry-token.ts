// The token issuer side of the Docker token spec (what GitLab's /jwt/auth does): a signed JWT
// granting `access` to one audience (the registry's `service`). The coordinator calls this after
// it has authenticated the client and intersected the requested scopes with its permissions.
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AccessScope } from './registry-auth.js';
import { libtrustKeyId } from './key-id.js';

export interface IssueRegistryTokenOptions {
  /** PEM (PKCS#8 or PKCS#1) or a KeyObject; RSA → RS256, EC P-256 → ES256, Ed25519 → EdDSA. */
  privateKey: KeyObject | string;
  issuer: string;
  /** The registry's service name (`container_registry` in GitLab). */
  audience: string;
  subject?: string;
  access: readonly AccessScope[];
  /** GitLab's default is 5 minutes. */
  expiresInSeconds?: number;
  now?: Date;
  /** Defaults to the libtrust key id of the key. */
  keyId?: string;
  /** Extra claims (GitLab writes `auth_type`, `user`); registries ignore them. */
  extraClaims?: Record<string, unknown>;
  /** Base64 DER certificates for the `x5c` header (distribution 3 verifies it against its root bundle). */
  certificateChain?: string[];
}

export interface IssuedRegistryToken {
  token: string;
  expiresIn: number;
  issuedAt: Date;
}

export async function issueRegistryToken(options: IssueRegistryTokenOptions): Promise<IssuedRegistryToken> {
  const key = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  const expiresIn = options.expiresInSeconds ?? 300;
  const now = options.now ?? new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    ...options.extraClaims,
    // Extra fields of an entry (GitLab's `meta`) are kept; registries ignore them.
    access: options.access.map((a) => ({ ...a, actions: [...a.actions] })),
  };
  let jwt = new SignJWT(claims)
    .setProtectedHeader({
      typ: 'JWT', alg: algorithmFor(key), kid: options.keyId ?? libtrustKeyId(key),
      ...(options.certificateChain && options.certificateChain.length > 0 ? { x5c: options.certificateChain } : {}),
    })
    .setJti(randomUUID())
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setNotBefore(iat - 5)
    .setExpirationTime(iat + expiresIn);
  if (options.subject) jwt = jwt.setSubject(options.subject);
  return { token: await jwt.sign(key), expiresIn, issuedAt: now };
}

export function algorithmFor(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
      if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
      throw new Error(`unsupported EC curve ${String(curve)} for registry tokens: use P-256 or P-384`);
    }
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new Error(`unsupported key type ${String(key.asymmetricKeyType)} for registry tokens: use RSA, EC P-256 or Ed25519`);
  }
}
