// The registry behind Docker-token-spec auth, over real HTTP: challenges, scopes per route,
// refused tokens.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRegistryToken } from '../auth/issue-registry-token.js';
import type { AccessScope } from '../auth/registry-auth.js';
import { tokenAuth } from '../auth/token-auth.js';
import { digestOf } from '../digest.js';
import { createMemoryStorage } from '../storage/memory-storage.js';
import { RegistryTestClient, type RawResponse } from '../testing/registry-test-client.js';
import { createRegistryServer, type RegistryServer } from './registry-server.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const REALM = 'http://127.0.0.1:1/jwt/auth';
let server: RegistryServer;
let url: string;

beforeAll(async () => {
  const auth = await tokenAuth({ realm: REALM, service: 'container_registry', issuer: 'drydock', publicKeys: [keys.publicKey] });
  server = await createRegistryServer({ storage: createMemoryStorage(), auth });
  url = (await server.listen({ port: 0 })).url;
});
afterAll(() => server.close());

async function clientWith(access: AccessScope[]): Promise<RegistryTestClient> {
  const { token } = await issueRegistryToken({ privateKey: keys.privateKey, issuer: 'drydock', audience: 'container_registry', subject: 'ci', access });
  return new RegistryTestClient(url, { Authorization: `Bearer ${token}` });
}

const code = (res: RawResponse): string | undefined => (res.json() as { errors: Array<{ code: string }> }).errors[0]?.code;
const repo = (name: string, ...actions: string[]): AccessScope => ({ type: 'repository', name, actions });

describe('registry routes behind token auth', () => {
  it('answers an anonymous request with 401, a Bearer challenge and an UNAUTHORIZED body', async () => {
    const anonymous = new RegistryTestClient(url);
    const base = await anonymous.request('GET', '/v2/');
    expect(base.status).toBe(401);
    expect(base.headers['www-authenticate']).toBe(`Bearer realm="${REALM}",service="container_registry"`);
    expect(base.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(code(base)).toBe('UNAUTHORIZED');
    const pull = await anonymous.request('GET', '/v2/group/app/manifests/latest');
    expect(pull.headers['www-authenticate']).toBe(`Bearer realm="${REALM}",service="container_registry",scope="repository:group/app:pull"`);
    const push = await anonymous.request('POST', '/v2/group/app/blobs/uploads/');
    expect(push.headers['www-authenticate']).toContain('scope="repository:group/app:pull,push"');
    const catalog = await anonymous.request('GET', '/v2/_catalog');
    expect(catalog.headers['www-authenticate']).toContain('scope="registry:catalog:*"');
  });

  it('lets a token with pull,push push and pull, but not delete or read the catalog', async () => {
    const ci = await clientWith([repo('group/app', 'pull', 'push')]);
    expect((await ci.request('GET', '/v2/')).status).toBe(200);
    const image = await ci.pushImage('group/app', 'v1', [Buffer.from('authorized layer')]);
    expect((await ci.request('GET', '/v2/group/app/manifests/v1')).body).toEqual(image.bytes);
    const del = await ci.request('DELETE', '/v2/group/app/manifests/v1');
    expect(del.status).toBe(401);
    expect(del.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect((await ci.request('GET', '/v2/_catalog')).status).toBe(401);
    const admin = await clientWith([repo('group/app', 'delete'), { type: 'registry', name: 'catalog', actions: ['*'] }]);
    expect((await admin.request('GET', '/v2/_catalog')).json()).toEqual({ repositories: ['group/app'] });
    expect((await admin.request('DELETE', '/v2/group/app/manifests/v1')).status).toBe(202);
  });

  it('refuses a pull-only token for pushes and for other repositories', async () => {
    const reader = await clientWith([repo('group/app', 'pull')]);
    const push = await reader.request('POST', '/v2/group/app/blobs/uploads/');
    expect(push.status).toBe(401);
    expect(push.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect((await reader.request('GET', '/v2/group/other/tags/list')).status).toBe(401);
  });

  it('refuses a tampered or expired token', async () => {
    const ci = await clientWith([repo('group/app', 'pull')]);
    const { token } = await issueRegistryToken({ privateKey: keys.privateKey, issuer: 'drydock', audience: 'container_registry', access: [repo('group/app', 'pull')] });
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, access: [repo('group/app', 'pull', 'push')] })).toString('base64url');
    const tampered = await new RegistryTestClient(url, { Authorization: `Bearer ${h}.${forged}.${s}` }).request('POST', '/v2/group/app/blobs/uploads/');
    expect(tampered.status).toBe(401);
    expect(tampered.headers['www-authenticate']).toContain('error="invalid_token"');
    const old = await issueRegistryToken({ privateKey: keys.privateKey, issuer: 'drydock', audience: 'container_registry', access: [repo('group/app', 'pull')], now: new Date(Date.now() - 600_000) });
    const expired = await new RegistryTestClient(url, { Authorization: `Bearer ${old.token}` }).request('GET', '/v2/group/app/tags/list');
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await ci.request('GET', '/v2/group/app/tags/list')).status).toBe(200);
  });

  it('mounts only from repositories the token may pull, otherwise starts a plain upload', async () => {
    const owner = await clientWith([repo('group/secret', 'pull', 'push')]);
    const digest = await owner.pushBlob('group/secret', Buffer.from('private layer'));
    const outsider = await clientWith([repo('group/mine', 'pull', 'push')]);
    const denied = await outsider.request('POST', `/v2/group/mine/blobs/uploads/?mount=${digest}&from=group/secret`);
    expect(denied.status).toBe(202);
    expect((await outsider.request('HEAD', `/v2/group/mine/blobs/${digest}`)).status).toBe(404);
    const both = await clientWith([repo('group/mine', 'pull', 'push'), repo('group/secret', 'pull')]);
    expect((await both.request('POST', `/v2/group/mine/blobs/uploads/?mount=${digest}&from=group/secret`)).status).toBe(201);
    expect(digest).toBe(digestOf(Buffer.from('private layer')));
  });
});
