// Digest computation over byte sequences, shared by the stores.
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../digest.js';

export function computeDigest(chunks: Iterable<Uint8Array>, algorithm: DigestAlgorithm): string {
  const hash = createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return `${algorithm}:${hash.digest('hex')}`;
}
