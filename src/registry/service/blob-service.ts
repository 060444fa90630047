// Repository-scoped blob operations: a blob is visible in a repository only once it was uploaded
// or mounted there (or is one of its manifests), as in distribution. Upload sessions belong to
// the repository they were opened for.
import { parseDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import type { BlobInfo, BlobReader, ByteSource, RegistryStorage, UploadInfo } from '../storage/registry-storage.js';

export class BlobService {
  constructor(private readonly storage: RegistryStorage) {}

  /** The blob's info if `repository` may read it, else BLOB_UNKNOWN. */
  async stat(repository: string, digest: string, signal: AbortSignal): Promise<BlobInfo> {
    const info = (await this.visible(repository, digest, signal)) ? await this.storage.blobs.stat(digest, signal) : undefined;
    if (!info) throw unknownBlob(repository, digest);
    return info;
  }

  /** A positional reader of the blob if `repository` may read it, else BLOB_UNKNOWN. */
  async reader(repository: string, digest: string, signal: AbortSignal): Promise<BlobReader> {
    if (!(await this.visible(repository, digest, signal))) throw unknownBlob(repository, digest);
    return this.storage.blobs.openReader(digest, signal);
  }

  private async visible(repository: string, digest: string, signal: AbortSignal): Promise<boolean> {
    parseDigest(digest);
    const { metadata } = this.storage;
    return ((await metadata.getBlobLink(repository, digest, signal)) ?? (await metadata.getManifest(repository, digest, signal))) !== undefined;
  }

  /** Removes the blob from the repository; its bytes go when GC finds nothing else needs them. */
  async delete(repository: string, digest: string, signal: AbortSignal): Promise<void> {
    parseDigest(digest);
    if (!(await this.storage.metadata.unlinkBlob(repository, digest, signal))) {
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is unknown in repository ${repository}`, { detail: { digest } });
    }
  }

  /** Links a blob readable in `from` into `repository`; undefined when it cannot be mounted. */
  async mount(repository: string, digest: string, from: string, signal: AbortSignal): Promise<BlobInfo | undefined> {
    if (!(await this.storage.metadata.getBlobLink(from, digest, signal))) return undefined;
    const info = await this.storage.blobs.stat(digest, signal);
    if (!info) return undefined;
    await this.storage.metadata.linkBlob(repository, digest, signal);
    return info;
  }

  startUpload(repository: string, signal: AbortSignal): Promise<UploadInfo> {
    return this.storage.blobs.startUpload(repository, signal);
  }

  async upload(repository: string, id: string, signal: AbortSignal): Promise<UploadInfo> {
    const info = await this.storage.blobs.getUpload(id, signal);
    if (!info || info.repository !== repository) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 100)} is unknown in repository ${repository}`, { detail: { uuid: id.slice(0, 100) } });
    }
    return info;
  }

  /** Appends a chunk; without an explicit offset the chunk continues where the upload ends. */
  async append(repository: string, id: string, offset: number | undefined, data: ByteSource, signal: AbortSignal): Promise<UploadInfo> {
    const info = await this.upload(repository, id, signal);
    return this.storage.blobs.appendUpload(id, offset ?? info.size, data, signal);
  }

  async complete(repository: string, id: string, digest: string, signal: AbortSignal): Promise<BlobInfo> {
    parseDigest(digest);
    await this.upload(repository, id, signal);
    const info = await this.storage.blobs.completeUpload(id, digest, signal);
    await this.storage.metadata.linkBlob(repository, digest, signal);
    return info;
  }

  async cancel(repository: string, id: string, signal: AbortSignal): Promise<void> {
    await this.upload(repository, id, signal);
    await this.storage.blobs.cancelUpload(id, signal);
  }
}

function unknownBlob(repository: string, digest: string): RegistryError {
  // BLOB_UNKNOWN also when the blob is stored but not in this repository: no probing across repositories.
  return new RegistryError('BLOB_UNKNOWN', `blob ${digest} is unknown in repository ${repository}`, { detail: { digest } });
}
