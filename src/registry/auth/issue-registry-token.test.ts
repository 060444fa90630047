// The token issuer and verifier together: what the coordinator will sign, the registry accepts;
// anything tampered, expired, foreign or insufficient is refused with a challenge.
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueRegistryToken } from './issue-registry-token.js';
import { libtrustKeyId } from './key-id.js';
import { bearerChallenge, parseScope, parseScopes } from './registry-auth.js';
import { tokenAuth } from './token-auth.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signal = AbortSignal.timeout(10_000);
const base = { issuer: 'gitlab-issuer', audience: 'container_registry' };
const pullPush = [{ type: 'repository', name: 'group/app', actions: ['pull', 'push'] }];

async function registry(keys = [rsa.publicKey, ec.publicKey], now?: () => Date) {
  return tokenAuth({ realm: 'http://gitlab.test/jwt/auth', service: 'container_registry', issuer: 'gitlab-issuer', publicKeys: keys, now });
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

describe('issueRegistryToken', () => {
  it('writes GitLab-shaped claims and a libtrust key id', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { token, expiresIn } = await issueRegistryToken({ ...base, privateKey: rsa.privateKey, subject: 'root', access: pullPush, now, extraClaims: { auth_type: 'build' } });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
    expect(header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    expect(header.kid).toBe(libtrustKeyId(rsa.publicKey));
    const claims = decodeJwt(token);
    const iat = now.getTime() / 1000;
    expect(claims).toMatchObject({ iss: 'gitlab-issuer', aud: 'container_registry', sub: 'root', iat, nbf: iat - 5, exp: iat + 300, auth_type: 'build', access: pullPush });
    expect(typeof claims.jti).toBe('string');
    expect(expiresIn).toBe(300);
  });

  it('signs with EC and Ed25519 keys too', async () => {
    const ed = generateKeyPairSync('ed25519');
    for (const [key, pub, alg] of [[ec.privateKey, ec.publicKey, 'ES256'], [ed.privateKey, ed.publicKey, 'EdDSA']] as const) {
      const { token } = await issueRegistryToken({ ...base, privateKey: key, access: pullPush });
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      expect((await (await registry([pub])).authorize(bearer(token), pullPush, signal)).ok).toBe(true);
    }
  });
});

describe('tokenAuth', () => {
  it('accepts a valid token granting the scope and returns its subject', async () => {
    const { token } = await issueRegistryToken({ ...base, privateKey: rsa.privateKey, subject: 'ci', access: pullPush });
    expect(await (await registry()).authorize(bearer(token), [{ type: 'repository', name: 'group/app', actions: ['pull'] }], signal)).toEqual({ ok: true, subject: 'ci' });
  });

  it('challenges a request without a token with realm, service and scope', async () => {
    const result = await (await registry()).authorize({}, pullPush, signal);
    expect(result).toMatchObject({ ok: false, challenge: { status: 401, code: 'UNAUTHORIZED' } });
    if (result.ok) return;
    expect(result.challenge.wwwAuthenticate).toBe('Bearer realm="http://gitlab.test/jwt/auth",service="container_registry",scope="repository:group/app:pull,push"');
    const base401 = await (await registry()).authorize({ authorization: 'Basic dXNlcjpwdw==' }, [], signal);
    expect(!base401.ok && base401.challenge.wwwAuthenticate).toBe('Bearer realm="http://gitlab.test/jwt/auth",service="container_registry"');
  });

  it('refuses tampered, expired, not-yet-valid, foreign-key, wrong-issuer and wrong-audience tokens', async () => {
    const auth = await registry();
    const { token } = await issueRegistryToken({ ...base, privateKey: ec.privateKey, access: [{ type: 'repository', name: 'group/app', actions: ['pull'] }] });
    const [h, p, s] = token.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...decodeJwt(token), access: pullPush })).toString('base64url');
    const cases: Record<string, string> = {
      tampered: `${h}.${widened}.${s}`,
      truncatedSignature: `${h}.${p}.${s.slice(0, -4)}`,
      garbage: 'not.a.jwt',
      unsigned: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`,
      expired: (await issueRegistryToken({ ...base, privateKey: ec.privateKey, access: pullPush, now: new Date(Date.now() - 3600_000) })).token,
      future: (await issueRegistryToken({ ...base, privateKey: ec.privateKey, access: pullPush, now: new Date(Date.now() + 3600_000) })).token,
      foreignKey: (await issueRegistryToken({ ...base, privateKey: other.privateKey, access: pullPush })).token,
      wrongIssuer: (await issueRegistryToken({ ...base, issuer: 'evil', privateKey: ec.privateKey, access: pullPush })).token,
      wrongAudience: (await issueRegistryToken({ ...base, audience: 'other', privateKey: ec.privateKey, access: pullPush })).token,
    };
    for (const [name, bad] of Object.entries(cases)) {
      const result = await auth.authorize(bearer(bad), [{ type: 'repository', name: 'group/app', actions: ['pull'] }], signal);
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.challenge.wwwAuthenticate, name).toContain('error="invalid_token"');
    }
  });

  it('refuses a valid token that lacks an action or names another repository', async () => {
    const auth = await registry();
    const { token } = await issueRegistryToken({ ...base, privateKey: ec.privateKey, access: [{ type: 'repository', name: 'group/app', actions: ['pull'] }] });
    for (const scope of [{ type: 'repository', name: 'group/app', actions: ['pull', 'push'] }, { type: 'repository', name: 'group/other', actions: ['pull'] }, { type: 'registry', name: 'catalog', actions: ['*'] }]) {
      const result = await auth.authorize(bearer(token), [scope], signal);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.challenge.wwwAuthenticate).toContain('error="insufficient_scope"');
    }
    const star = await issueRegistryToken({ ...base, privateKey: ec.privateKey, access: [{ type: 'repository', name: 'group/app', actions: ['*'] }] });
    expect((await auth.authorize(bearer(star.token), [{ type: 'repository', name: 'group/app', actions: ['delete'] }], signal)).ok).toBe(true);
  });
});

describe('scopes', () => {
  it('parses token-request scopes, repeated or space-separated', () => {
    expect(parseScope('repository:group/app:pull,push')).toEqual({ type: 'repository', name: 'group/app', actions: ['pull', 'push'] });
    expect(parseScope('repository:localhost:5000/app:pull')).toEqual({ type: 'repository', name: 'localhost:5000/app', actions: ['pull'] });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('repository:app')).toBeUndefined();
    expect(parseScopes(['repository:a:pull repository:b:push', 'registry:catalog:*']).map((s) => s.name)).toEqual(['a', 'b', 'catalog']);
  });

  it('escapes quotes in challenges', () => {
    expect(bearerChallenge('http://x/"', 's', [], 'invalid_token')).toBe('Bearer realm="http://x/\\"",service="s",error="invalid_token"');
  });
});
