// An in-memory RegistryStorage for tests and throwaway registries: the same contract as
// fs-storage, nothing persisted. State lives in the instance, never at module level.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { throwIfAborted } from '../../shared/abort.js';
import { parseDigest } from '../digest.js';
import { RegistryError, uploadRangeError } from '../errors.js';
import { computeDigest } from './hash-bytes.js';
import { KeyedMutex } from './keyed-mutex.js';
import {
  byteOrder, type BlobInfo, type BlobLink, type BlobReader, type BlobStore, type ByteRange, type ByteSource, type ManifestRecord,
  type MetadataStore, type RegistryStorage, type TagRecord, type UploadInfo,
} from './registry-storage.js';

interface StoredBlob { bytes: Buffer; modifiedAt: Date }
interface Session { info: UploadInfo; chunks: Buffer[] }
interface Repo { links: Map<string, Date>; manifests: Map<string, ManifestRecord>; tags: Map<string, string> }

class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly uploads = new Map<string, Session>();
  private readonly locks = new KeyedMutex();

  async stat(digest: string, signal: AbortSignal): Promise<BlobInfo | undefined> {
    throwIfAborted(signal);
    const blob = this.blobs.get(digest);
    return blob && { digest, size: blob.bytes.length, modifiedAt: blob.modifiedAt };
  }

  async open(digest: string, range: ByteRange | undefined, signal: AbortSignal): Promise<Readable> {
    throwIfAborted(signal);
    const blob = this.blobs.get(digest);
    if (!blob) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not stored`, { detail: { digest } });
    const bytes = range ? blob.bytes.subarray(range.start, range.end + 1) : blob.bytes;
    return Readable.from([bytes], { objectMode: false });
  }

  async openReader(digest: string, signal: AbortSignal): Promise<BlobReader> {
    throwIfAborted(signal);
    const blob = this.blobs.get(digest);
    if (!blob) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not stored`, { detail: { digest } });
    const { bytes } = blob;
    return {
      size: bytes.length,
      read: async (buffer, length, position) => (position >= bytes.length ? 0 : bytes.copy(buffer, 0, position, Math.min(bytes.length, position + length))),
      close: async () => undefined,
    };
  }

  async delete(digest: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    return this.blobs.delete(digest);
  }

  async *list(signal: AbortSignal): AsyncIterable<BlobInfo> {
    for (const [digest, blob] of [...this.blobs]) {
      throwIfAborted(signal);
      yield { digest, size: blob.bytes.length, modifiedAt: blob.modifiedAt };
    }
  }

  async startUpload(repository: string, signal: AbortSignal): Promise<UploadInfo> {
    throwIfAborted(signal);
    const info: UploadInfo = { id: randomUUID(), repository, size: 0, startedAt: new Date() };
    this.uploads.set(info.id, { info, chunks: [] });
    return { ...info };
  }

  async getUpload(id: string, signal: AbortSignal): Promise<UploadInfo | undefined> {
    throwIfAborted(signal);
    const session = this.uploads.get(id);
    return session && { ...session.info };
  }

  appendUpload(id: string, offset: number, data: ByteSource, signal: AbortSignal): Promise<UploadInfo> {
    return this.locks.run(id, async () => {
      const session = this.session(id);
      if (offset !== session.info.size) throw uploadRangeError(session.info.size);
      for await (const chunk of data) {
        throwIfAborted(signal);
        // Keep what arrived even if the stream later fails: the client may resume from here.
        session.chunks.push(Buffer.from(chunk));
        session.info.size += chunk.length;
      }
      return { ...session.info };
    });
  }

  completeUpload(id: string, expectedDigest: string, signal: AbortSignal): Promise<BlobInfo> {
    return this.locks.run(id, async () => {
      throwIfAborted(signal);
      const expected = parseDigest(expectedDigest);
      const session = this.session(id);
      const bytes = Buffer.concat(session.chunks);
      this.uploads.delete(id);
      const actual = computeDigest([bytes], expected.algorithm);
      if (actual !== expected.digest) {
        throw new RegistryError('DIGEST_INVALID', `upload content has digest ${actual}, not ${expected.digest}`, { detail: { expected: expected.digest, actual } });
      }
      const existing = this.blobs.get(expected.digest);
      const modifiedAt = new Date();
      this.blobs.set(expected.digest, { bytes: existing?.bytes ?? bytes, modifiedAt });
      return { digest: expected.digest, size: bytes.length, modifiedAt };
    });
  }

  async cancelUpload(id: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    return this.uploads.delete(id);
  }

  async *listUploads(signal: AbortSignal): AsyncIterable<UploadInfo> {
    for (const session of [...this.uploads.values()]) {
      throwIfAborted(signal);
      yield { ...session.info };
    }
  }

  private session(id: string): Session {
    const session = this.uploads.get(id);
    if (!session) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is unknown or finished`, { detail: { uuid: id } });
    return session;
  }
}

class MemoryMetadataStore implements MetadataStore {
  private readonly repos = new Map<string, Repo>();

  async listRepositories(signal: AbortSignal): Promise<string[]> {
    throwIfAborted(signal);
    return [...this.repos].filter(([, r]) => r.links.size + r.manifests.size > 0).map(([name]) => name).sort(byteOrder);
  }

  async repositoryExists(repository: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    const repo = this.repos.get(repository);
    return repo !== undefined && repo.links.size + repo.manifests.size > 0;
  }

  async linkBlob(repository: string, digest: string, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.repo(repository).links.set(digest, new Date());
  }

  async getBlobLink(repository: string, digest: string, signal: AbortSignal): Promise<BlobLink | undefined> {
    throwIfAborted(signal);
    const linkedAt = this.repos.get(repository)?.links.get(digest);
    return linkedAt && { digest, linkedAt };
  }

  async unlinkBlob(repository: string, digest: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    return this.repos.get(repository)?.links.delete(digest) ?? false;
  }

  async listBlobLinks(repository: string, signal: AbortSignal): Promise<BlobLink[]> {
    throwIfAborted(signal);
    return [...(this.repos.get(repository)?.links ?? [])].map(([digest, linkedAt]) => ({ digest, linkedAt }));
  }

  async putManifest(repository: string, record: ManifestRecord, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.repo(repository).manifests.set(record.digest, { ...record });
  }

  async getManifest(repository: string, digest: string, signal: AbortSignal): Promise<ManifestRecord | undefined> {
    throwIfAborted(signal);
    const record = this.repos.get(repository)?.manifests.get(digest);
    return record && { ...record };
  }

  async deleteManifest(repository: string, digest: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    const repo = this.repos.get(repository);
    if (!repo?.manifests.delete(digest)) return false;
    for (const [tag, target] of [...repo.tags]) if (target === digest) repo.tags.delete(tag);
    return true;
  }

  async listManifests(repository: string, signal: AbortSignal): Promise<ManifestRecord[]> {
    throwIfAborted(signal);
    return [...(this.repos.get(repository)?.manifests.values() ?? [])].map((r) => ({ ...r }));
  }

  async setTag(repository: string, tag: string, digest: string, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.repo(repository).tags.set(tag, digest);
  }

  async resolveTag(repository: string, tag: string, signal: AbortSignal): Promise<string | undefined> {
    throwIfAborted(signal);
    return this.repos.get(repository)?.tags.get(tag);
  }

  async deleteTag(repository: string, tag: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    return this.repos.get(repository)?.tags.delete(tag) ?? false;
  }

  async listTags(repository: string, signal: AbortSignal): Promise<TagRecord[]> {
    throwIfAborted(signal);
    return [...(this.repos.get(repository)?.tags ?? [])].map(([tag, digest]) => ({ tag, digest })).sort((a, b) => byteOrder(a.tag, b.tag));
  }

  private repo(name: string): Repo {
    let repo = this.repos.get(name);
    if (!repo) this.repos.set(name, (repo = { links: new Map(), manifests: new Map(), tags: new Map() }));
    return repo;
  }
}

/** A fresh, empty in-memory registry storage. */
export function createMemoryStorage(): RegistryStorage {
  return { blobs: new MemoryBlobStore(), metadata: new MemoryMetadataStore() };
}
