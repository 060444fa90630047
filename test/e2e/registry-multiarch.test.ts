// Multi-arch images in the server's registry with token auth: an OCI image index (two platforms)
// pushed by skopeo (`copy --all --preserve-digests`, --dest-creds with a personal access token)
// and read back byte-for-byte; then tag deletion and `drydock registry gc`: untagged manifests and
// their blobs stay by default (as distribution), `--delete-untagged` frees exactly the blobs no
// remaining tag reaches (a second tag on the amd64 child keeps that child's blobs).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './server-kit.js';

const hasSkopeo = (() => {
  try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Built { index: Buffer; amd: { manifest: Buffer; layer: string; config: string }; arm: { manifest: Buffer; layer: string; config: string } }

/** An OCI image layout with one index (linux/amd64 + linux/arm64, one small tar layer each). */
async function ociLayout(dir: string): Promise<Built> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer) => { await writeFile(path.join(blobs, sha(b).slice(7)), b); return sha(b); };
  const platform = async (arch: string) => {
    const src = path.join(dir, `src-${arch}`);
    await mkdir(src);
    await writeFile(path.join(src, 'arch'), `${arch}\n`);
    const layer = execFileSync('tar', ['-C', src, '-cf', '-', 'arch']);
    const layerDigest = await put(layer);
    const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {} }));
    const configDigest = await put(config);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }, null, 2)); // pretty-printed on purpose: the registry must keep bytes it did not produce
    await put(manifest);
    return { manifest, layer: layerDigest, config: configDigest };
  };
  const amd = await platform('amd64');
  const arm = await platform('arm64');
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, digest: sha(amd.manifest), size: amd.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: OCI_MANIFEST, digest: sha(arm.manifest), size: arm.manifest.length, platform: { architecture: 'arm64', os: 'linux' } },
    ],
  }, null, 3));
  await put(index);
  await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, manifests: [{ mediaType: OCI_INDEX, digest: sha(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }],
  }));
  return { index, amd, arm };
}

describe.skipIf(!hasSkopeo)('multi-arch index in the server registry (skopeo, PAT) and gc of untagged manifests', () => {
  let t: TestServer;
  let work: string;
  let built: Built;
  let host: string;
  let bearer: string;

  beforeAll(async () => {
    t = await startTestServer();
    host = new URL(t.url).host;
    work = await mkdtemp(path.join(os.tmpdir(), 'drydock-multiarch-'));
    await t.admin('POST', '/api/v4/projects', { name: 'multi', namespace: 'grp', visibility: 'private' });
    built = await ociLayout(path.join(work, 'layout'));
    const scope = 'service=container_registry&scope=repository:grp/multi:pull';
    const res = await fetch(`${t.url}/jwt/auth?${scope}`, { headers: { authorization: `Basic ${Buffer.from(`root:${t.adminToken}`).toString('base64')}` } });
    bearer = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const get = (route: string, accept = `${OCI_INDEX}, ${OCI_MANIFEST}`) =>
    fetch(`${t.url}/v2/grp/multi/${route}`, { headers: { authorization: `Bearer ${bearer}`, accept } });
  // Async: the server runs in this process, a synchronous child would block it.
  const skopeo = async (args: string[]): Promise<string> => {
    try {
      return (await promisify(execFile)('skopeo', args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: work } })).stdout;
    } catch (err) {
      throw new Error(`skopeo ${args[0]} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
  };
  const creds = () => `root:${t.adminToken}`;

  it('refuses the push without credentials, then takes it with a PAT and serves the index byte-for-byte', async () => {
    await expect(skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${path.join(work, 'layout')}:multi`, `docker://${host}/grp/multi:multi`]))
      .rejects.toThrow(/unauthorized|authentication required|401/i);

    await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${path.join(work, 'layout')}:multi`, `docker://${host}/grp/multi:multi`]);
    const index = await get('manifests/multi');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe(OCI_INDEX);
    expect(index.headers.get('docker-content-digest')).toBe(sha(built.index));
    expect(Buffer.from(await index.arrayBuffer()).equals(built.index)).toBe(true);
    const child = await get(`manifests/${sha(built.arm.manifest)}`);
    expect(Buffer.from(await child.arrayBuffer()).equals(built.arm.manifest)).toBe(true);

    // skopeo reads it back with the same token, and copies the arm64 image out by platform.
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${host}/grp/multi:multi`]);
    expect(Buffer.from(raw).equals(built.index)).toBe(true);
    await skopeo(['copy', '--override-arch', 'arm64', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/grp/multi:multi`, `dir:${path.join(work, 'arm-out')}`]);
    expect((await readFile(path.join(work, 'arm-out', 'manifest.json'))).equals(built.arm.manifest)).toBe(true);
  });

  it('after the index tag is deleted, gc keeps untagged manifests; --delete-untagged frees what no tag reaches', async () => {
    // A second tag on the amd64 child only.
    await skopeo(['copy', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds(), '--dest-creds', creds(),
      `docker://${host}/grp/multi@${sha(built.amd.manifest)}`, `docker://${host}/grp/multi:amd-only`]);
    const env = { DRYDOCK_URL: t.url, DRYDOCK_TOKEN: t.adminToken };
    expect((await runCli(['registry', 'rm', 'grp/multi:multi'], { cwd: work, env })).code).toBe(0);
    const data = path.join(t.dataDir, 'registry');
    const blobStatus = async (digest: string) => (await fetch(`${t.url}/v2/grp/multi/blobs/${digest}`, { method: 'HEAD', headers: { authorization: `Bearer ${bearer}` } })).status;

    const plain = await runCli(['registry', 'gc', '--data', data, '--grace-minutes', '0'], { cwd: work, env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/freed 0 bytes in 0 blob\(s\)/);
    expect(await blobStatus(built.arm.layer)).toBe(200);

    const dry = await runCli(['registry', 'gc', '--data', data, '--grace-minutes', '0', '--delete-untagged', '--dry-run'], { cwd: work, env });
    expect(dry.stdout).toContain('would delete 2 untagged manifest(s)');
    expect(await blobStatus(built.arm.layer)).toBe(200);

    const gc = await runCli(['registry', 'gc', '--data', data, '--grace-minutes', '0', '--delete-untagged'], { cwd: work, env });
    expect(gc.code, gc.stderr).toBe(0);
    // Gone: the index, the arm64 manifest, its config and layer. Kept: everything amd-only needs.
    expect(gc.stdout).toMatch(/deleted 2 untagged manifest\(s\); freed \d+ bytes in 4 blob\(s\)/);
    expect(gc.stdout).toContain(`deleted untagged manifest grp/multi@${sha(built.index)}`);
    expect(gc.stdout).toContain(`deleted untagged manifest grp/multi@${sha(built.arm.manifest)}`);
    expect(await blobStatus(built.arm.layer)).toBe(404);
    expect(await blobStatus(built.arm.config)).toBe(404);
    expect(await blobStatus(built.amd.layer)).toBe(200);
    expect(await blobStatus(built.amd.config)).toBe(200);
    const amd = await get('manifests/amd-only');
    expect(Buffer.from(await amd.arrayBuffer()).equals(built.amd.manifest)).toBe(true);
    expect((await get(`manifests/${sha(built.index)}`)).status).toBe(404);
  });
});
