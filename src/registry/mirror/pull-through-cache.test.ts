// The pull-through mirror against a real upstream over HTTP that wants Docker token auth with
// Basic credentials at its realm: first pull fetches and caches, the second is served while the
// upstream is down; a moved tag is refreshed; pushes are refused; Docker Hub's library/ naming.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRegistryToken } from '../auth/issue-registry-token.js';
import { parseScopes } from '../auth/registry-auth.js';
import { tokenAuth } from '../auth/token-auth.js';
import { createRegistryServer, type RegistryServer } from '../http/registry-server.js';
import { MEDIA_TYPES } from '../manifest.js';
import { createMemoryStorage } from '../storage/memory-storage.js';
import { RegistryTestClient } from '../testing/registry-test-client.js';
import { PullThroughCache } from './pull-through-cache.js';
import { UpstreamClient, parseChallenge } from './upstream-client.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let realm: Server;
let upstream: RegistryServer;
let upstreamUrl: string;
let mirror: RegistryServer;
let mirrorClient: RegistryTestClient;
let pusher: RegistryTestClient;
const tokenRequests: string[] = [];

beforeAll(async () => {
  realm = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    tokenRequests.push(url.search);
    if (req.headers.authorization !== `Basic ${Buffer.from('mirror:s3cret').toString('base64')}`) return void res.writeHead(401).end();
    void issueRegistryToken({ privateKey: keys.privateKey, issuer: 'up', audience: 'up-registry', access: parseScopes(url.searchParams.getAll('scope')), expiresInSeconds: 300 })
      .then(({ token }) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 })));
  });
  await new Promise<void>((r) => realm.listen(0, '127.0.0.1', r));
  const realmUrl = `http://127.0.0.1:${(realm.address() as AddressInfo).port}/token`;
  const auth = await tokenAuth({ realm: realmUrl, service: 'up-registry', issuer: 'up', publicKeys: [keys.publicKey] });
  upstream = await createRegistryServer({ storage: createMemoryStorage(), auth });
  upstreamUrl = (await upstream.listen({ port: 0 })).url;
  const { token } = await issueRegistryToken({ privateKey: keys.privateKey, issuer: 'up', audience: 'up-registry', access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }] });
  pusher = new RegistryTestClient(upstreamUrl, { Authorization: `Bearer ${token}` });

  const storage = createMemoryStorage();
  const { allowAll } = await import('../auth/registry-auth.js');
  mirror = await createRegistryServer({ storage, auth: allowAll(), pullThrough: new PullThroughCache(storage, { url: upstreamUrl, username: 'mirror', password: 's3cret' }) });
  mirrorClient = new RegistryTestClient((await mirror.listen({ port: 0 })).url);
});
afterAll(async () => {
  await mirror?.close();
  await upstream?.close().catch(() => undefined);
  realm?.close();
});

describe('PullThroughCache', () => {
  it('fetches through token auth, caches, refreshes a moved tag and serves offline from cache', async () => {
    const v1 = await pusher.pushImage('team/app', 'latest', [Buffer.from('layer one')], { mediaType: MEDIA_TYPES.dockerManifest });
    const m1 = await mirrorClient.request('GET', '/v2/team/app/manifests/latest', { headers: { accept: MEDIA_TYPES.dockerManifest } });
    expect(m1.status).toBe(200);
    expect(m1.body.equals(v1.bytes)).toBe(true);
    expect(m1.headers['content-type']).toBe(MEDIA_TYPES.dockerManifest);
    const layer = await mirrorClient.request('GET', `/v2/team/app/blobs/${v1.layerDigests[0]}`);
    expect(layer.body.toString()).toBe('layer one');
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((q) => q.includes('scope=repository%3Ateam%2Fapp%3Apull'))).toBe(true);

    const v2 = await pusher.pushImage('team/app', 'latest', [Buffer.from('layer two')], { mediaType: MEDIA_TYPES.dockerManifest });
    const m2 = await mirrorClient.request('GET', '/v2/team/app/manifests/latest');
    expect(m2.headers['docker-content-digest']).toBe(v2.digest);

    await upstream.close();
    const offline = await mirrorClient.request('GET', '/v2/team/app/manifests/latest');
    expect(offline.status).toBe(200);
    expect(offline.headers['docker-content-digest']).toBe(v2.digest);
    expect((await mirrorClient.request('GET', `/v2/team/app/blobs/${v1.layerDigests[0]}`)).body.toString()).toBe('layer one');
    const missing = await mirrorClient.request('GET', '/v2/team/other/manifests/latest');
    expect(missing.status).toBe(500);
    expect((missing.json() as { errors: Array<{ message: string }> }).errors[0]?.message).toContain('cannot fetch team/other:latest');
  });

  it('refuses pushes', async () => {
    const res = await mirrorClient.request('POST', '/v2/team/app/blobs/uploads/');
    expect(res.status).toBe(405);
    expect((res.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('UNSUPPORTED');
  });
});

describe('UpstreamClient', () => {
  it('maps Docker Hub official images to library/ and parses challenges', () => {
    expect(new UpstreamClient({ url: 'https://registry-1.docker.io' }).upstreamName('alpine')).toBe('library/alpine');
    expect(new UpstreamClient({ url: 'https://registry-1.docker.io' }).upstreamName('team/app')).toBe('team/app');
    expect(new UpstreamClient({ url: 'http://10.0.0.5:5000' }).upstreamName('alpine')).toBe('alpine');
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
    expect(parseChallenge('Basic realm="Registry"')?.scheme).toBe('basic');
  });
});
