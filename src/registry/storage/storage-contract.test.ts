// The contract every RegistryStorage must honour, run against both implementations.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { RegistryError } from '../errors.js';
import { createFsStorage } from './fs-storage.js';
import { createMemoryStorage } from './memory-storage.js';
import { putBlobBytes } from './put-blob-bytes.js';
import type { RegistryStorage } from './registry-storage.js';

const signal = AbortSignal.timeout(15_000);
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const factories: Array<[string, () => Promise<RegistryStorage>]> = [
  ['memory', async () => createMemoryStorage()],
  ['fs', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-contract-'));
    roots.push(root);
    return createFsStorage(root);
  }],
];

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* failingSource(first: Buffer): AsyncIterable<Uint8Array> {
  yield first;
  throw new Error('connection reset');
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof RegistryError ? `${error.code}/${error.status}` : String(error);
  }
}

describe.each(factories)('%s storage contract', (_name, make) => {
  it('stores a blob uploaded in chunks and reads it whole and by range', async () => {
    const { blobs } = await make();
    const data = Buffer.from('hello, content addressed world');
    const digest = digestOf(data);
    const up = await blobs.startUpload('group/app', signal);
    expect(up).toMatchObject({ size: 0, repository: 'group/app' });
    expect((await blobs.appendUpload(up.id, 0, [data.subarray(0, 10)], signal)).size).toBe(10);
    expect((await blobs.getUpload(up.id, signal))?.size).toBe(10);
    await blobs.appendUpload(up.id, 10, [data.subarray(10)], signal);
    expect(await blobs.stat(digest, signal)).toBeUndefined();
    const info = await blobs.completeUpload(up.id, digest, signal);
    expect(info).toMatchObject({ digest, size: data.length });
    expect(await blobs.getUpload(up.id, signal)).toBeUndefined();
    expect(await readAll(await blobs.open(digest, undefined, signal))).toEqual(data);
    expect((await readAll(await blobs.open(digest, { start: 7, end: 13 }, signal))).toString()).toBe('content');
    expect((await collect(blobs.list(signal))).map((b) => b.digest)).toEqual([digest]);
  });

  it('reads a blob by position: whole, from an offset, short at the end, 0 past it', async () => {
    const { blobs } = await make();
    const data = Buffer.from('positional reads of a stored blob');
    const digest = digestOf(data);
    const up = await blobs.startUpload('app', signal);
    await blobs.appendUpload(up.id, 0, [data], signal);
    await blobs.completeUpload(up.id, digest, signal);
    const reader = await blobs.openReader(digest, signal);
    try {
      expect(reader.size).toBe(data.length);
      const buffer = Buffer.alloc(64);
      expect(await reader.read(buffer, data.length, 0)).toBe(data.length);
      expect(buffer.subarray(0, data.length)).toEqual(data);
      expect(await reader.read(buffer, 5, 11)).toBe(5);
      expect(buffer.subarray(0, 5).toString()).toBe('reads');
      expect(await reader.read(buffer, 64, data.length - 4)).toBe(4);
      expect(buffer.subarray(0, 4).toString()).toBe('blob');
      expect(await reader.read(buffer, 64, data.length)).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('rejects an out-of-order chunk with 416 and the current range', async () => {
    const { blobs } = await make();
    const up = await blobs.startUpload('app', signal);
    await blobs.appendUpload(up.id, 0, [Buffer.from('abc')], signal);
    const error = await blobs.appendUpload(up.id, 5, [Buffer.from('x')], signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).status).toBe(416);
    expect((error as RegistryError).headers.Range).toBe('0-2');
  });

  it('leaves nothing visible when the digest does not match', async () => {
    const { blobs } = await make();
    const up = await blobs.startUpload('app', signal);
    await blobs.appendUpload(up.id, 0, [Buffer.from('actual bytes')], signal);
    const claimed = digestOf(Buffer.from('other bytes'));
    expect(await codeOf(blobs.completeUpload(up.id, claimed, signal))).toBe('DIGEST_INVALID/400');
    expect(await blobs.stat(claimed, signal)).toBeUndefined();
    expect(await blobs.stat(digestOf(Buffer.from('actual bytes')), signal)).toBeUndefined();
    expect(await collect(blobs.list(signal))).toEqual([]);
    expect(await collect(blobs.listUploads(signal))).toEqual([]);
  });

  it('keeps the bytes that arrived before a stream failed, so the upload can resume', async () => {
    const { blobs } = await make();
    const up = await blobs.startUpload('app', signal);
    await expect(blobs.appendUpload(up.id, 0, failingSource(Buffer.from('part1-')), signal)).rejects.toThrow('connection reset');
    const status = await blobs.getUpload(up.id, signal);
    expect(status?.size).toBe(6);
    await blobs.appendUpload(up.id, 6, [Buffer.from('part2')], signal);
    const info = await blobs.completeUpload(up.id, digestOf(Buffer.from('part1-part2')), signal);
    expect(info.size).toBe(11);
  });

  it('verifies sha512 digests too', async () => {
    const { blobs } = await make();
    const data = Buffer.from('sha512 content');
    const up = await blobs.startUpload('app', signal);
    await blobs.appendUpload(up.id, 0, [data], signal);
    const digest = digestOf(data, 'sha512');
    expect((await blobs.completeUpload(up.id, digest, signal)).digest).toBe(digest);
    expect(await readAll(await blobs.open(digest, undefined, signal))).toEqual(data);
  });

  it('reports unknown blobs and uploads with spec codes', async () => {
    const { blobs } = await make();
    const missing = digestOf(Buffer.from('nope'));
    expect(await codeOf(blobs.open(missing, undefined, signal))).toBe('BLOB_UNKNOWN/404');
    expect(await codeOf(blobs.openReader(missing, signal))).toBe('BLOB_UNKNOWN/404');
    expect(await codeOf(blobs.appendUpload('00000000-0000-0000-0000-000000000000', 0, [], signal))).toBe('BLOB_UPLOAD_UNKNOWN/404');
    expect(await codeOf(blobs.completeUpload('../../etc', missing, signal))).toBe('BLOB_UPLOAD_UNKNOWN/404');
    expect(await blobs.cancelUpload('nope', signal)).toBe(false);
  });

  it('cancels uploads and deletes blobs', async () => {
    const { blobs } = await make();
    const up = await blobs.startUpload('app', signal);
    expect((await collect(blobs.listUploads(signal))).map((u) => u.id)).toEqual([up.id]);
    expect(await blobs.cancelUpload(up.id, signal)).toBe(true);
    expect(await blobs.getUpload(up.id, signal)).toBeUndefined();
    const info = await putBlobBytes(blobs, 'app', Buffer.from('x'), signal);
    expect(await blobs.delete(info.digest, signal)).toBe(true);
    expect(await blobs.delete(info.digest, signal)).toBe(false);
    expect(await blobs.stat(info.digest, signal)).toBeUndefined();
  });

  it('serializes concurrent appends to one session', async () => {
    const { blobs } = await make();
    const up = await blobs.startUpload('app', signal);
    const results = await Promise.allSettled([
      blobs.appendUpload(up.id, 0, [Buffer.from('aaa')], signal),
      blobs.appendUpload(up.id, 0, [Buffer.from('bbb')], signal),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await blobs.getUpload(up.id, signal))?.size).toBe(3);
  });

  it('keeps repositories, links, manifests and tags', async () => {
    const { metadata } = await make();
    const m1 = digestOf(Buffer.from('m1'));
    const m2 = digestOf(Buffer.from('m2'));
    const layer = digestOf(Buffer.from('layer'));
    expect(await metadata.repositoryExists('group/app', signal)).toBe(false);
    await metadata.linkBlob('group/app', layer, signal);
    await metadata.linkBlob('group', layer, signal);
    expect(await metadata.listRepositories(signal)).toEqual(['group', 'group/app']);
    expect((await metadata.getBlobLink('group/app', layer, signal))?.digest).toBe(layer);
    expect(await metadata.getBlobLink('other', layer, signal)).toBeUndefined();

    await metadata.putManifest('group/app', { digest: m1, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, signal);
    await metadata.putManifest('group/app', { digest: m2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, signal);
    expect(await metadata.getManifest('group/app', m2, signal)).toEqual({ digest: m2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    await metadata.setTag('group/app', 'b', m1, signal);
    await metadata.setTag('group/app', 'A', m1, signal);
    await metadata.setTag('group/app', 'a', m2, signal);
    expect((await metadata.listTags('group/app', signal)).map((t) => t.tag)).toEqual(['A', 'a', 'b']);
    await metadata.setTag('group/app', 'a', m1, signal);
    expect(await metadata.resolveTag('group/app', 'a', signal)).toBe(m1);

    expect(await metadata.deleteManifest('group/app', m1, signal)).toBe(true);
    expect(await metadata.listTags('group/app', signal)).toEqual([]);
    expect(await metadata.deleteManifest('group/app', m1, signal)).toBe(false);
    expect((await metadata.listManifests('group/app', signal)).map((m) => m.digest)).toEqual([m2]);
    await metadata.setTag('group/app', 'keep', m2, signal);
    expect(await metadata.deleteTag('group/app', 'keep', signal)).toBe(true);
    expect(await metadata.deleteTag('group/app', 'keep', signal)).toBe(false);
    expect(await metadata.unlinkBlob('group/app', layer, signal)).toBe(true);
    expect((await metadata.listBlobLinks('group', signal)).map((l) => l.digest)).toEqual([layer]);
  });

  it('refuses names that would leave the storage root', async () => {
    const { metadata } = await make();
    const d = digestOf(Buffer.from('x'));
    for (const name of ['../escape', 'a/../../b', '/abs', 'a//b', 'UPPER', '.hidden']) {
      expect(await codeOf(metadata.linkBlob(name, d, signal))).toMatch(/NAME_INVALID|no error/);
    }
  });
});

describe('fs storage layout', () => {
  it('writes distribution-style paths and no temp files linger', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-layout-'));
    roots.push(root);
    const { blobs, metadata } = await createFsStorage(root);
    const info = await putBlobBytes(blobs, 'g/app', Buffer.from('layout'), signal);
    await metadata.linkBlob('g/app', info.digest, signal);
    await metadata.putManifest('g/app', { digest: info.digest, mediaType: 'x/y' }, signal);
    await metadata.setTag('g/app', 'v1', info.digest, signal);
    const hex = info.digest.slice('sha256:'.length);
    expect(await readdir(path.join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toEqual(['data']);
    expect(await readdir(path.join(root, 'repositories', 'g', 'app', '_layers', 'sha256', hex))).toEqual(['link']);
    expect(await readdir(path.join(root, 'repositories', 'g', 'app', '_manifests', 'tags', 'v1', 'current'))).toEqual(['link']);
    expect(await readdir(path.join(root, '_tmp'))).toEqual([]);
    expect(await readdir(path.join(root, '_uploads'))).toEqual([]);
  });

  it('recomputes the digest from disk when the running hash is gone (a new process)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-restart-'));
    roots.push(root);
    const first = await createFsStorage(root);
    const up = await first.blobs.startUpload('app', signal);
    await first.blobs.appendUpload(up.id, 0, [Buffer.from('before restart, ')], signal);
    const second = await createFsStorage(root);
    await second.blobs.appendUpload(up.id, 16, [Buffer.from('after')], signal);
    const info = await second.blobs.completeUpload(up.id, digestOf(Buffer.from('before restart, after')), signal);
    expect(info.size).toBe(21);
  });
});
