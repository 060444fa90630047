// Drydock's registry against the real docker CLI and skopeo: push, delete locally, pull back and
// compare image IDs; a manifest list from `docker manifest`; an OCI index via skopeo fetched back
// byte-for-byte; and the full Docker token flow (docker login → 401 challenge → realm → Bearer).
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRegistryToken } from '../../src/registry/auth/issue-registry-token.js';
import { allowAll, parseScopes } from '../../src/registry/auth/registry-auth.js';
import { tokenAuth } from '../../src/registry/auth/token-auth.js';
import { digestOf } from '../../src/registry/digest.js';
import { createRegistryServer, type RegistryServer } from '../../src/registry/http/registry-server.js';
import { createFsStorage } from '../../src/registry/storage/fs-storage.js';
import { rawRequest } from '../../src/registry/testing/registry-test-client.js';
import { skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';

const run = promisify(execFile);
const skip = skipWithoutDocker();
const hasSkopeo = existsSync('/usr/bin/skopeo');

async function sh(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 150_000 });
  return stdout.trim();
}

describe.skipIf(skip)('registry with the docker CLI', () => {
  let root: string;
  let server: RegistryServer;
  let host: string;
  const tagged: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-e2e-'));
    server = await createRegistryServer({ storage: await createFsStorage(path.join(root, 'store')), auth: allowAll() });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    host = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const ref of tagged) await sh('docker', ['image', 'rm', '-f', ref]).catch(() => '');
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function tag(source: string, target: string): Promise<void> {
    await sh('docker', ['tag', source, target]);
    tagged.push(target);
  }

  it('pushes busybox, pulls it back after deleting it locally, with the same image ID', async () => {
    const ref = `${host}/group/project/app:1`;
    await tag('busybox:latest', ref);
    await sh('docker', ['push', ref]);
    const before = await sh('docker', ['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest']);
    await sh('docker', ['image', 'rm', ref]);
    await sh('docker', ['pull', ref]);
    expect(await sh('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).toBe(before);
    const tags = await rawRequest(`http://${host}`, 'GET', '/v2/group/project/app/tags/list');
    expect(tags.json()).toEqual({ name: 'group/project/app', tags: ['1'] });
  });

  it('pushes a multi-platform manifest list with docker manifest and serves it back', async () => {
    const amd = `${host}/group/project/multi:amd64`;
    const arm = `${host}/group/project/multi-arm:1`;
    await tag('busybox:latest', amd);
    await tag('debian:bookworm-slim', arm);
    await sh('docker', ['push', amd]);
    await sh('docker', ['push', arm]);
    const list = `${host}/group/project/multi:latest`;
    await sh('docker', ['manifest', 'create', '--insecure', list, amd, arm]);
    await sh('docker', ['manifest', 'annotate', '--arch', 'arm64', list, arm]);
    const out = await sh('docker', ['manifest', 'push', '--purge', '--insecure', list]);
    const pushedDigest = out.split('\n').pop();
    const res = await rawRequest(`http://${host}`, 'GET', '/v2/group/project/multi/manifests/latest', { headers: { Accept: 'application/vnd.docker.distribution.manifest.list.v2+json' } });
    expect(res.headers['content-type']).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(digestOf(res.body)).toBe(pushedDigest);
    const body = res.json() as { manifests: Array<{ platform: { architecture: string } }> };
    expect(body.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
  });

  it.skipIf(!hasSkopeo && process.env.CI !== 'true')('takes an OCI index from skopeo and returns it byte-for-byte', async () => {
    const layout = path.join(root, 'oci-layout');
    await sh('skopeo', ['copy', '--all', '--format', 'oci', '--src-tls-verify=false', `docker://${host}/group/project/multi:latest`, `oci:${layout}:multi`]);
    const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; mediaType: string }> };
    const top = index.manifests[0]!;
    expect(top.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const expected = await readFile(path.join(layout, 'blobs', 'sha256', top.digest.slice('sha256:'.length)));
    await sh('skopeo', ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:multi`, `docker://${host}/group/project/oci:1`]);
    const res = await rawRequest(`http://${host}`, 'GET', '/v2/group/project/oci/manifests/1', { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
    expect(res.headers['content-type']).toBe('application/vnd.oci.image.index.v1+json');
    expect(res.headers['docker-content-digest']).toBe(top.digest);
    expect(res.body.equals(expected)).toBe(true);
    const raw = await sh('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/group/project/oci:1`]);
    expect(raw).toBe(expected.toString('utf8').trim());
  });
});

describe.skipIf(skip)('registry with token auth and the docker CLI', () => {
  let root: string;
  let registry: RegistryServer;
  let realm: Server;
  let host: string;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-auth-e2e-'));
    // A stand-in for the coordinator's /jwt/auth: user "ci" / "secret" may pull and push group/project/*.
    realm = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        if (basic !== 'ci:secret') {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"HTTP Basic: Access denied"}]}');
          return;
        }
        const access = parseScopes(url.searchParams.getAll('scope')).filter((s) => s.type === 'repository' && s.name.startsWith('group/project/'));
        const { token } = await issueRegistryToken({ privateKey: keys.privateKey, issuer: 'drydock', audience: 'container_registry', subject: 'ci', access });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
      })();
    });
    await new Promise<void>((resolve) => realm.listen(0, '127.0.0.1', resolve));
    const realmUrl = `http://127.0.0.1:${(realm.address() as AddressInfo).port}/jwt/auth`;
    const auth = await tokenAuth({ realm: realmUrl, service: 'container_registry', issuer: 'drydock', publicKeys: [keys.publicKey] });
    registry = await createRegistryServer({ storage: await createFsStorage(path.join(root, 'store')), auth });
    host = `127.0.0.1:${(await registry.listen({ port: 0 })).port}`;
  });
  afterAll(async () => {
    await sh('docker', ['image', 'rm', '-f', `${host}/group/project/secure:1`, `${host}/other/thing:1`]).catch(() => '');
    await registry?.close();
    await new Promise((resolve) => realm?.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('refuses anonymous pushes, and pushes and pulls after docker login', async () => {
    const env = { DOCKER_CONFIG: path.join(root, 'docker-config') };
    const ref = `${host}/group/project/secure:1`;
    await sh('docker', ['tag', 'busybox:latest', ref]);
    await expect(sh('docker', ['push', ref], env)).rejects.toThrow(/unauthorized|authentication required|no basic auth/i);
    await expect(sh('docker', ['login', '-u', 'ci', '-p', 'wrong', host], env)).rejects.toThrow();
    await sh('docker', ['login', '-u', 'ci', '-p', 'secret', host], env);
    await sh('docker', ['push', ref], env);
    await sh('docker', ['image', 'rm', ref]);
    await sh('docker', ['pull', ref], env);
    const other = `${host}/other/thing:1`;
    await sh('docker', ['tag', 'busybox:latest', other]);
    await expect(sh('docker', ['push', other], env)).rejects.toThrow(/denied|unauthorized|insufficient/i);
  });
});
