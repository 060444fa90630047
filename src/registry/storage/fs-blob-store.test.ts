// FsBlobStore's batching paths: vectored writes of many socket-sized chunks, the joined write of
// many tiny chunks, and the background datasync of a large upload all keep bytes and digest exact.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { FsBlobStore } from './fs-blob-store.js';

const signal = AbortSignal.timeout(30_000);
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function store(): Promise<{ blobs: FsBlobStore; root: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-fs-blob-store-'));
  roots.push(root);
  return { blobs: new FsBlobStore(root), root };
}

function* pieces(data: Buffer, size: number): Iterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function roundTrip(data: Buffer, pieceSize: number): Promise<void> {
  const { blobs, root } = await store();
  const upload = await blobs.startUpload('r', signal);
  const after = await blobs.appendUpload(upload.id, 0, pieces(data, pieceSize), signal);
  expect(after.size).toBe(data.length);
  const digest = digestOf(data);
  const info = await blobs.completeUpload(upload.id, digest, signal);
  expect(info.size).toBe(data.length);
  const hex = digest.slice('sha256:'.length);
  const stored = await readFile(path.join(root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'));
  expect(stored.equals(data)).toBe(true);
}

describe('FsBlobStore uploads', () => {
  it('stores 40 MiB of 64 KiB chunks exactly (vectored writes, background datasync)', async () => {
    await roundTrip(randomBytes(40 * 1024 * 1024 + 123), 64 * 1024);
  });

  it('stores a blob sent as thousands of tiny chunks exactly', async () => {
    await roundTrip(randomBytes(3 * 1024 * 1024 + 7), 977);
  });
});
