// Content-addressed blobs on disk, laid out like distribution's:
//   <root>/blobs/<alg>/<first two hex>/<hex>/data
//   <root>/_uploads/<uuid>/{data,info.json}     (in-flight upload sessions)
// A blob appears only by an atomic rename of a fully received, fsynced, digest-verified upload,
// so a reader never sees a partial or mismatching blob. The sha256 of each session is computed
// while its bytes stream in; if that running hash is lost (restart, failed chunk) or the digest
// is sha512, completion re-reads the session file instead.
import { randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { newHash, parseDigest, tryParseDigest, type DigestAlgorithm } from '../digest.js';
import { RegistryError, uploadRangeError } from '../errors.js';
import { isNotFound, readTextIfExists, removeDir, subdirectories } from './fs-files.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { BlobInfo, BlobReader, BlobStore, ByteRange, ByteSource, UploadInfo } from './registry-storage.js';

const READ_CHUNK = 1024 * 1024;
/** Background datasync interval while an upload streams in. */
const SYNC_EVERY = 32 * 1024 * 1024;
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

interface RunningHash { hash: Hash; size: number }

export class FsBlobStore implements BlobStore {
  private readonly locks = new KeyedMutex();
  /** Running sha256 per live session, valid only while its size equals the session file's. */
  private readonly running = new Map<string, RunningHash>();

  constructor(private readonly root: string) {}

  private blobDir(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.root, 'blobs', algorithm, hex.slice(0, 2), hex);
  }

  private uploadDir(id: string): string {
    if (!UPLOAD_ID.test(id)) throw unknownUpload(id);
    return path.join(this.root, '_uploads', id);
  }

  async stat(digest: string, signal: AbortSignal): Promise<BlobInfo | undefined> {
    signal.throwIfAborted();
    try {
      const s = await stat(path.join(this.blobDir(digest), 'data'));
      return { digest, size: s.size, modifiedAt: s.mtime };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async open(digest: string, range: ByteRange | undefined, signal: AbortSignal): Promise<Readable> {
    const handle = await this.openData(digest, signal);
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK });
  }

  async openReader(digest: string, signal: AbortSignal): Promise<BlobReader> {
    const handle = await this.openData(digest, signal);
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    let closed: Promise<void> | undefined;
    return {
      size,
      read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
      close: () => (closed ??= handle.close()),
    };
  }

  /** Opens the blob's file. An open descriptor survives a concurrent GC unlink, a path would not. */
  private async openData(digest: string, signal: AbortSignal): Promise<FileHandle> {
    signal.throwIfAborted();
    try {
      return await open(path.join(this.blobDir(digest), 'data'), 'r');
    } catch (error) {
      if (isNotFound(error)) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not stored`, { detail: { digest } });
      throw error;
    }
  }

  async delete(digest: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    return removeDir(this.blobDir(digest));
  }

  async *list(signal: AbortSignal): AsyncIterable<BlobInfo> {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const algDir = path.join(this.root, 'blobs', algorithm);
      for (const prefix of await subdirectories(algDir)) {
        for (const hex of await subdirectories(path.join(algDir, prefix))) {
          signal.throwIfAborted();
          const digest = `${algorithm}:${hex}`;
          if (!tryParseDigest(digest)) continue;
          const info = await this.stat(digest, signal);
          if (info) yield info;
        }
      }
    }
  }

  async startUpload(repository: string, signal: AbortSignal): Promise<UploadInfo> {
    signal.throwIfAborted();
    const id = randomUUID();
    const dir = this.uploadDir(id);
    const startedAt = new Date();
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'data'), '');
    await writeFile(path.join(dir, 'info.json'), JSON.stringify({ repository, startedAt: startedAt.toISOString() }));
    this.running.set(id, { hash: newHash('sha256'), size: 0 });
    return { id, repository, size: 0, startedAt };
  }

  async getUpload(id: string, signal: AbortSignal): Promise<UploadInfo | undefined> {
    signal.throwIfAborted();
    if (!UPLOAD_ID.test(id)) return undefined;
    const dir = this.uploadDir(id);
    const text = await readTextIfExists(path.join(dir, 'info.json'), signal);
    if (text === undefined) return undefined;
    const info = JSON.parse(text) as { repository: string; startedAt: string };
    try {
      const size = (await stat(path.join(dir, 'data'))).size;
      return { id, repository: info.repository, size, startedAt: new Date(info.startedAt) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  appendUpload(id: string, offset: number, data: ByteSource, signal: AbortSignal): Promise<UploadInfo> {
    return this.locks.run(id, async () => {
      const before = await this.requireUpload(id, signal);
      if (offset !== before.size) throw uploadRangeError(before.size);
      const file = path.join(this.uploadDir(id), 'data');
      let running = this.running.get(id);
      if (running && running.size !== before.size) running = undefined;
      this.running.delete(id);
      const written = await appendToFile(file, data, running, signal);
      // Only a hash that saw exactly the bytes on disk may be trusted later.
      if (running && running.size === before.size + written) this.running.set(id, running);
      return { ...before, size: before.size + written };
    });
  }

  completeUpload(id: string, expectedDigest: string, signal: AbortSignal): Promise<BlobInfo> {
    return this.locks.run(id, async () => {
      const expected = parseDigest(expectedDigest);
      const session = await this.requireUpload(id, signal);
      const dir = this.uploadDir(id);
      const file = path.join(dir, 'data');
      const running = this.running.get(id);
      this.running.delete(id);
      const actual = expected.algorithm === 'sha256' && running && running.size === session.size
        ? `sha256:${running.hash.digest('hex')}`
        : await hashFile(file, expected.algorithm, signal);
      if (actual !== expected.digest) {
        await removeDir(dir);
        throw new RegistryError('DIGEST_INVALID', `upload content has digest ${actual}, not ${expected.digest}`, { detail: { expected: expected.digest, actual } });
      }
      const handle = await open(file, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
      const target = this.blobDir(expected.digest);
      await mkdir(target, { recursive: true });
      await rename(file, path.join(target, 'data'));
      await removeDir(dir);
      const s = await stat(path.join(target, 'data'));
      return { digest: expected.digest, size: s.size, modifiedAt: s.mtime };
    });
  }

  async cancelUpload(id: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    if (!UPLOAD_ID.test(id)) return false;
    return this.locks.run(id, async () => {
      this.running.delete(id);
      return removeDir(this.uploadDir(id));
    });
  }

  async *listUploads(signal: AbortSignal): AsyncIterable<UploadInfo> {
    let ids: string[];
    try {
      ids = await readdir(path.join(this.root, '_uploads'));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const id of ids) {
      const info = await this.getUpload(id, signal);
      if (info) yield info;
    }
  }

  private async requireUpload(id: string, signal: AbortSignal): Promise<UploadInfo> {
    const info = await this.getUpload(id, signal);
    if (!info) throw unknownUpload(id);
    return info;
  }
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 100)} is unknown or finished`, { detail: { uuid: id.slice(0, 100) } });
}

/**
 * Appends the stream to `file` in ~1 MiB vectored writes (no copy into one buffer). Bytes that
 * arrived before the source failed are still written (and hashed), so a resumed upload continues
 * from them; errors are rethrown after. Every SYNC_EVERY bytes a datasync is started in the
 * background, so the one at completion finds little left to flush.
 */
async function appendToFile(file: string, data: ByteSource, running: RunningHash | undefined, signal: AbortSignal): Promise<number> {
  const handle = await open(file, 'a');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = 0;
  let unsynced = 0;
  // One write in flight while the next batch is being received: disk and socket overlap.
  let inFlight: Promise<void> = Promise.resolve();
  // At most one background datasync; its failure is ignored (completion syncs again and reports).
  let syncing: Promise<void> | undefined;
  const writeBatch = async (buffers: Buffer[], length: number): Promise<void> => {
    let done = 0;
    while (done < length) {
      const rest = done === 0 ? buffers : remainder(buffers, done);
      done += (await handle.writev(rest)).bytesWritten;
    }
    written += length;
    if (running) {
      for (const buffer of buffers) running.hash.update(buffer);
      running.size += length;
    }
    unsynced += length;
    if (unsynced >= SYNC_EVERY && !syncing) {
      unsynced = 0;
      syncing = handle.datasync().catch(() => undefined).finally(() => (syncing = undefined));
    }
  };
  const flush = async (): Promise<void> => {
    await inFlight;
    if (pendingBytes === 0) return;
    // Many tiny chunks are joined first: one iovec each would make the write and hashing crawl.
    const buffers = pending.length > 256 ? [Buffer.concat(pending, pendingBytes)] : pending;
    inFlight = writeBatch(buffers, pendingBytes);
    pending = [];
    pendingBytes = 0;
    // Marked handled now; the error still surfaces at the next await of inFlight.
    inFlight.catch(() => undefined);
  };
  try {
    for await (const chunk of data) {
      signal.throwIfAborted();
      pending.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.length;
      if (pendingBytes >= READ_CHUNK) await flush();
    }
  } finally {
    try {
      await flush();
      await inFlight;
    } finally {
      await syncing;
      await handle.close();
    }
  }
  return written;
}

/** The part of `buffers` after its first `skip` bytes (after a short writev). */
function remainder(buffers: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

async function hashFile(file: string, algorithm: DigestAlgorithm, signal: AbortSignal): Promise<string> {
  const hash = newHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK, signal })) hash.update(chunk as Buffer);
  return `${algorithm}:${hash.digest('hex')}`;
}
