// The storage seam of the registry: a content-addressed, streaming BlobStore (with resumable
// upload sessions whose digest is verified on completion) and a MetadataStore for repositories,
// blob links, manifests and tags. fs-storage and memory-storage implement both and pass the same
// contract suite (storage-contract.test.ts). Every method takes an AbortSignal.
//
// Errors: stores throw RegistryError from ../errors.ts for the conditions a client can cause
// (BLOB_UNKNOWN, BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID, an out-of-order chunk as a 416
// BLOB_UPLOAD_INVALID); anything else (disk full, EIO) propagates as is.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  digest: string;
  size: number;
  /** When the blob was last written (GC's grace period is measured from here). */
  modifiedAt: Date;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface UploadInfo {
  id: string;
  /** The repository the session was opened for; the blob is linked there on completion. */
  repository: string;
  /** Bytes received so far (the next chunk must start here). */
  size: number;
  startedAt: Date;
}

export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Positional reads of one stored blob, for serving it with reused buffers (see http/send-blob.ts)
 * instead of a stream that allocates a buffer per chunk. Close it when done, also on errors.
 */
export interface BlobReader {
  /** The blob's size in bytes. */
  readonly size: number;
  /** Reads up to `length` bytes at blob offset `position` into `buffer` from 0; 0 means the end. */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface BlobStore {
  stat(digest: string, signal: AbortSignal): Promise<BlobInfo | undefined>;
  /** The blob's bytes (or the inclusive `range` of them); throws BLOB_UNKNOWN. */
  open(digest: string, range: ByteRange | undefined, signal: AbortSignal): Promise<Readable>;
  /** A positional reader of the blob (held open: a concurrent delete does not cut it); throws BLOB_UNKNOWN. */
  openReader(digest: string, signal: AbortSignal): Promise<BlobReader>;
  /** Removes the blob's data; false when it was not there. Only GC should call this. */
  delete(digest: string, signal: AbortSignal): Promise<boolean>;
  list(signal: AbortSignal): AsyncIterable<BlobInfo>;

  startUpload(repository: string, signal: AbortSignal): Promise<UploadInfo>;
  getUpload(id: string, signal: AbortSignal): Promise<UploadInfo | undefined>;
  /**
   * Appends `data` at `offset`, which must equal the session's current size (else a 416
   * BLOB_UPLOAD_INVALID carrying the current Range). If the stream fails midway the bytes that
   * reached storage stay in the session, so the client can resume from the reported offset.
   * Appends to one session are serialized.
   */
  appendUpload(id: string, offset: number, data: ByteSource, signal: AbortSignal): Promise<UploadInfo>;
  /**
   * Verifies the received bytes against `expectedDigest` and, if they match, makes the blob
   * visible atomically and ends the session. On a mismatch the session is discarded, nothing
   * becomes visible, and DIGEST_INVALID is thrown.
   */
  completeUpload(id: string, expectedDigest: string, signal: AbortSignal): Promise<BlobInfo>;
  cancelUpload(id: string, signal: AbortSignal): Promise<boolean>;
  listUploads(signal: AbortSignal): AsyncIterable<UploadInfo>;
}

export interface ManifestRecord {
  digest: string;
  /** The media type the manifest was pushed with, served back verbatim as Content-Type. */
  mediaType: string;
}

export interface TagRecord {
  tag: string;
  digest: string;
}

export interface BlobLink {
  digest: string;
  /** When the blob was last linked or confirmed in this repository (upload, mount, manifest push). */
  linkedAt: Date;
}

export interface MetadataStore {
  /** Every repository holding at least one blob link or manifest, sorted. */
  listRepositories(signal: AbortSignal): Promise<string[]>;
  repositoryExists(repository: string, signal: AbortSignal): Promise<boolean>;

  /** Grants `repository` access to a stored blob; linking again refreshes `linkedAt`. */
  linkBlob(repository: string, digest: string, signal: AbortSignal): Promise<void>;
  getBlobLink(repository: string, digest: string, signal: AbortSignal): Promise<BlobLink | undefined>;
  unlinkBlob(repository: string, digest: string, signal: AbortSignal): Promise<boolean>;
  listBlobLinks(repository: string, signal: AbortSignal): Promise<BlobLink[]>;

  /** Records a manifest revision (its bytes live in the BlobStore under the same digest). */
  putManifest(repository: string, record: ManifestRecord, signal: AbortSignal): Promise<void>;
  getManifest(repository: string, digest: string, signal: AbortSignal): Promise<ManifestRecord | undefined>;
  /** Removes the revision and every tag pointing at it; false when it was not there. */
  deleteManifest(repository: string, digest: string, signal: AbortSignal): Promise<boolean>;
  listManifests(repository: string, signal: AbortSignal): Promise<ManifestRecord[]>;

  setTag(repository: string, tag: string, digest: string, signal: AbortSignal): Promise<void>;
  resolveTag(repository: string, tag: string, signal: AbortSignal): Promise<string | undefined>;
  deleteTag(repository: string, tag: string, signal: AbortSignal): Promise<boolean>;
  /** Tags sorted by Go's sort.Strings order (UTF-16 code units = bytes for ASCII tags). */
  listTags(repository: string, signal: AbortSignal): Promise<TagRecord[]>;
}

export interface RegistryStorage {
  blobs: BlobStore;
  metadata: MetadataStore;
}

/** Sort as Go's sort.Strings does for ASCII: plain code-unit order, no locale. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
