// Stores bytes held in memory (a manifest) through the normal verified upload path.
import { digestOf, type DigestAlgorithm } from '../digest.js';
import type { BlobInfo, BlobStore } from './registry-storage.js';

export async function putBlobBytes(blobs: BlobStore, repository: string, bytes: Uint8Array, signal: AbortSignal, algorithm: DigestAlgorithm = 'sha256'): Promise<BlobInfo> {
  const digest = digestOf(bytes, algorithm);
  const existing = await blobs.stat(digest, signal);
  if (existing) return existing;
  const upload = await blobs.startUpload(repository, signal);
  try {
    await blobs.appendUpload(upload.id, 0, [bytes], signal);
    return await blobs.completeUpload(upload.id, digest, signal);
  } catch (error) {
    await blobs.cancelUpload(upload.id, signal).catch(() => false);
    throw error;
  }
}
