// GC marks what manifests need and sweeps the rest, sparing the grace period and live uploads.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from './digest.js';
import { collectGarbage } from './gc.js';
import { MEDIA_TYPES } from './manifest.js';
import { ManifestService } from './service/manifest-service.js';
import { createFsStorage } from './storage/fs-storage.js';
import { createMemoryStorage } from './storage/memory-storage.js';
import { putBlobBytes } from './storage/put-blob-bytes.js';
import type { RegistryStorage } from './storage/registry-storage.js';

const signal = AbortSignal.timeout(15_000);
const later = () => new Date(Date.now() + 2 * 3600_000);
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function blob(storage: RegistryStorage, repository: string, text: string): Promise<string> {
  const info = await putBlobBytes(storage.blobs, repository, Buffer.from(text), signal);
  await storage.metadata.linkBlob(repository, info.digest, signal);
  return info.digest;
}

async function image(storage: RegistryStorage, repository: string, tag: string, layers: string[]): Promise<{ digest: string; size: number; blobs: string[] }> {
  const config = await blob(storage, repository, `config of ${tag}`);
  const digests = [];
  for (const l of layers) digests.push(await blob(storage, repository, l));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 }, layers: digests.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: 1 })) }));
  const { digest } = await new ManifestService(storage).put(repository, tag, MEDIA_TYPES.ociManifest, bytes, signal);
  return { digest, size: bytes.length, blobs: [config, ...digests] };
}

const stores: Array<[string, () => Promise<RegistryStorage>]> = [
  ['memory', async () => createMemoryStorage()],
  ['fs', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-gc-'));
    roots.push(root);
    return createFsStorage(root);
  }],
];

describe.each(stores)('collectGarbage (%s storage)', (_name, make) => {
  it('deletes unreferenced blobs and keeps everything a manifest or index needs', async () => {
    const storage = await make();
    const kept = await image(storage, 'group/app', 'v1', ['shared layer', 'kept layer']);
    const other = await image(storage, 'group/app', 'v2', ['shared layer', 'arm layer']);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [kept, other].map((m) => ({ mediaType: MEDIA_TYPES.ociManifest, digest: m.digest, size: m.size })) }));
    const indexDigest = (await new ManifestService(storage).put('group/app', 'multi', MEDIA_TYPES.ociIndex, index, signal)).digest;
    const doomed = await image(storage, 'group/old', 'old1', ['shared layer', 'old only layer']);
    await storage.metadata.deleteManifest('group/old', doomed.digest, signal);
    const orphan = await blob(storage, 'group/app', 'orphan upload');

    const dry = await collectGarbage(storage, { signal, now: later, dryRun: true });
    const doomedDigests = [doomed.digest, doomed.blobs[0]!, digestOf(Buffer.from('old only layer')), orphan].sort();
    expect(dry.deleted.map((d) => d.digest).sort()).toEqual(doomedDigests);
    expect(await storage.blobs.stat(orphan, signal)).toBeDefined();

    const report = await collectGarbage(storage, { signal, now: later });
    expect(report.deleted.map((d) => d.digest).sort()).toEqual(doomedDigests);
    expect(report.freedBytes).toBe(report.deleted.reduce((sum, d) => sum + d.size, 0));
    for (const digest of doomedDigests) expect(await storage.blobs.stat(digest, signal)).toBeUndefined();
    for (const digest of [...kept.blobs, ...other.blobs, kept.digest, other.digest, indexDigest]) {
      expect(await storage.blobs.stat(digest, signal), digest).toBeDefined();
    }
    expect(await storage.metadata.getBlobLink('group/app', orphan, signal)).toBeUndefined();
    expect((await collectGarbage(storage, { signal, now: later })).deleted).toEqual([]);
  });

  it('keeps untagged manifests by default; deleteUntagged frees only what no tag still reaches', async () => {
    const storage = await make();
    const old = await image(storage, 'group/app', 'latest', ['base layer', 'old layer']);
    const current = await image(storage, 'group/app', 'latest', ['base layer', 'new layer']); // the tag moves
    const amd = await image(storage, 'group/app', 'tmp-amd', ['base layer', 'amd layer']);
    const arm = await image(storage, 'group/app', 'tmp-arm', ['arm layer']);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [amd, arm].map((m) => ({ mediaType: MEDIA_TYPES.ociManifest, digest: m.digest, size: m.size })) }));
    const indexDigest = (await new ManifestService(storage).put('group/app', 'multi', MEDIA_TYPES.ociIndex, index, signal)).digest;
    for (const tag of ['tmp-amd', 'tmp-arm']) await storage.metadata.deleteTag('group/app', tag, signal); // children by digest only

    expect((await collectGarbage(storage, { signal, now: later })).deleted).toEqual([]);

    const dry = await collectGarbage(storage, { signal, now: later, deleteUntagged: true, dryRun: true });
    expect(dry.deletedManifests).toEqual([`group/app@${old.digest}`]);
    expect((await storage.metadata.listManifests('group/app', signal)).map((m) => m.digest)).toContain(old.digest);

    const report = await collectGarbage(storage, { signal, now: later, deleteUntagged: true });
    expect(report.deletedManifests).toEqual([`group/app@${old.digest}`]);
    const oldOnly = [old.digest, digestOf(Buffer.from('old layer'))].sort(); // its config is the same bytes as current's
    expect(report.deleted.map((d) => d.digest).sort()).toEqual(oldOnly);
    for (const digest of [...current.blobs, ...amd.blobs, ...arm.blobs, current.digest, amd.digest, arm.digest, indexDigest]) {
      expect(await storage.blobs.stat(digest, signal), digest).toBeDefined();
    }
    expect(await storage.blobs.stat(digestOf(Buffer.from('base layer')), signal)).toBeDefined();
  });

  it('deleteUntagged spares an untagged manifest pushed within the grace period', async () => {
    const storage = await make();
    const fresh = await image(storage, 'group/app', 'tmp', ['fresh layer']);
    await storage.metadata.deleteTag('group/app', 'tmp', signal);
    const report = await collectGarbage(storage, { signal, deleteUntagged: true });
    expect(report.deletedManifests).toEqual([]);
    expect(await storage.blobs.stat(fresh.digest, signal)).toBeDefined();
  });

  it('keeps blobs within the grace period and blobs of repositories with a live upload', async () => {
    const storage = await make();
    const recent = await blob(storage, 'group/busy', 'uploaded just now');
    const fresh = await collectGarbage(storage, { signal });
    expect(fresh.deleted).toEqual([]);
    expect(fresh.keptForGracePeriod).toBe(1);

    const upload = await storage.blobs.startUpload('group/busy', signal);
    const busy = await collectGarbage(storage, { signal, now: later });
    expect(busy.deleted).toEqual([]);
    expect(busy.keptForUploads).toBe(1);
    expect(await storage.blobs.getUpload(upload.id, signal)).toBeDefined();

    const muchLater = () => new Date(Date.now() + 8 * 24 * 3600_000);
    const stale = await collectGarbage(storage, { signal, now: muchLater });
    expect(stale.purgedUploads).toEqual([upload.id]);
    expect(stale.deleted.map((d) => d.digest)).toEqual([recent]);
  });
});
