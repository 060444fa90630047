// Manifests, tags, the catalog and referrers. A pushed manifest is validated (shape, digest,
// every blob or child manifest it references present in the repository), its bytes stored as a
// blob exactly as received, and its media type kept for serving it back.
import { Buffer } from 'node:buffer';
import { digestOf, parseDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { MANIFEST_MEDIA_TYPES, MEDIA_TYPES, parseManifest, referencedBlobs, type Descriptor, type ParsedManifest } from '../manifest.js';
import { parseManifestReference } from '../reference.js';
import { putBlobBytes } from '../storage/put-blob-bytes.js';
import type { ManifestRecord, RegistryStorage } from '../storage/registry-storage.js';
import { paginate, type Page } from './pagination.js';

export interface StoredManifest extends ManifestRecord {
  bytes: Buffer;
}

export interface PutManifestResult {
  digest: string;
  /** The `subject` digest, echoed as OCI-Subject so clients skip the referrers tag fallback. */
  subject?: string;
}

export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPES.ociIndex;
  manifests: Descriptor[];
}

const MANIFEST_TYPES: ReadonlySet<string> = new Set(MANIFEST_MEDIA_TYPES);

export class ManifestService {
  constructor(private readonly storage: RegistryStorage) {}

  async put(repository: string, reference: string, contentType: string | undefined, bytes: Buffer, signal: AbortSignal): Promise<PutManifestResult> {
    const ref = parseManifestReference(reference);
    const manifest = parseManifest(bytes, contentType);
    const algorithm = ref.kind === 'digest' ? ref.digest.algorithm : 'sha256';
    const digest = digestOf(bytes, algorithm);
    if (ref.kind === 'digest' && ref.digest.digest !== digest) {
      throw new RegistryError('DIGEST_INVALID', `manifest body has digest ${digest}, not ${ref.digest.digest}`, { detail: { expected: ref.digest.digest, actual: digest } });
    }
    await this.checkReferences(repository, manifest, signal);
    await putBlobBytes(this.storage.blobs, repository, bytes, signal, algorithm);
    await this.storage.metadata.putManifest(repository, { digest, mediaType: manifest.mediaType }, signal);
    if (ref.kind === 'tag') await this.storage.metadata.setTag(repository, ref.tag, digest, signal);
    return manifest.subject ? { digest, subject: manifest.subject.digest } : { digest };
  }

  async get(repository: string, reference: string, signal: AbortSignal): Promise<StoredManifest> {
    const digest = await this.resolve(repository, reference, signal);
    const record = await this.storage.metadata.getManifest(repository, digest, signal);
    if (!record) throw manifestUnknown(repository, reference);
    return { ...record, bytes: await this.readBytes(digest, signal) };
  }

  async delete(repository: string, reference: string, signal: AbortSignal): Promise<void> {
    await this.requireRepository(repository, signal);
    const ref = parseManifestReference(reference);
    const deleted = ref.kind === 'tag'
      ? await this.storage.metadata.deleteTag(repository, ref.tag, signal)
      : await this.storage.metadata.deleteManifest(repository, ref.digest.digest, signal);
    if (!deleted) throw manifestUnknown(repository, reference);
  }

  async tags(repository: string, n: number | undefined, last: string | undefined, signal: AbortSignal): Promise<Page<string>> {
    await this.requireRepository(repository, signal);
    const tags = (await this.storage.metadata.listTags(repository, signal)).map((t) => t.tag);
    return paginate(tags, (t) => t, n, last);
  }

  async catalog(n: number | undefined, last: string | undefined, signal: AbortSignal): Promise<Page<string>> {
    return paginate(await this.storage.metadata.listRepositories(signal), (r) => r, n, last);
  }

  /**
   * Manifests of `repository` whose subject is `digest`, as index descriptors. This reads every
   * manifest of the repository: fine for CI-sized repositories, an index would be needed beyond.
   */
  async referrers(repository: string, digest: string, artifactType: string | undefined, signal: AbortSignal): Promise<ReferrersIndex> {
    parseDigest(digest);
    const found: Descriptor[] = [];
    if (await this.storage.metadata.repositoryExists(repository, signal)) {
      for (const record of await this.storage.metadata.listManifests(repository, signal)) {
        const bytes = await this.readBytes(record.digest, signal).catch(() => undefined);
        const manifest = bytes && tryParse(bytes, record.mediaType);
        if (!bytes || manifest?.subject?.digest !== digest) continue;
        const type = manifest.artifactType ?? (manifest.kind === 'image' ? manifest.config?.mediaType : undefined);
        if (artifactType !== undefined && type !== artifactType) continue;
        const descriptor: Descriptor = { mediaType: record.mediaType, digest: record.digest, size: bytes.length };
        if (type) descriptor.artifactType = type;
        if (manifest.annotations) descriptor.annotations = manifest.annotations;
        found.push(descriptor);
      }
    }
    found.sort((a, b) => (a.digest < b.digest ? -1 : 1));
    return { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: found };
  }

  /** Tag or digest → digest, with NAME_UNKNOWN / MANIFEST_UNKNOWN as distribution reports them. */
  async resolve(repository: string, reference: string, signal: AbortSignal): Promise<string> {
    const ref = parseManifestReference(reference);
    await this.requireRepository(repository, signal);
    if (ref.kind === 'digest') return ref.digest.digest;
    const digest = await this.storage.metadata.resolveTag(repository, ref.tag, signal);
    if (!digest) throw manifestUnknown(repository, reference);
    return digest;
  }

  private async requireRepository(repository: string, signal: AbortSignal): Promise<void> {
    if (!(await this.storage.metadata.repositoryExists(repository, signal))) {
      throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known to this registry`, { detail: { name: repository } });
    }
  }

  private async checkReferences(repository: string, manifest: ParsedManifest, signal: AbortSignal): Promise<void> {
    const { metadata, blobs } = this.storage;
    for (const digest of referencedBlobs(manifest)) {
      const linked = await metadata.getBlobLink(repository, digest, signal);
      if (!linked || !(await blobs.stat(digest, signal))) throw blobUnknown(digest, repository);
      // Refresh the link so a concurrent GC's grace period covers a blob this manifest now needs.
      await metadata.linkBlob(repository, digest, signal);
    }
    for (const child of manifest.manifests) {
      const present = MANIFEST_TYPES.has(child.mediaType)
        ? await metadata.getManifest(repository, child.digest, signal)
        : await metadata.getBlobLink(repository, child.digest, signal);
      if (!present) throw blobUnknown(child.digest, repository);
    }
  }

  /** A manifest's bytes in one buffer of its size (a read stream would allocate 1 MiB for 2 KiB). */
  private async readBytes(digest: string, signal: AbortSignal): Promise<Buffer> {
    const reader = await this.storage.blobs.openReader(digest, signal);
    try {
      const bytes = Buffer.allocUnsafe(reader.size);
      let filled = 0;
      while (filled < bytes.length) {
        const read = await reader.read(filled === 0 ? bytes : bytes.subarray(filled), bytes.length - filled, filled);
        if (read <= 0) throw new Error(`manifest ${digest} ends at byte ${filled} of ${bytes.length}: the stored file is shorter than its size`);
        filled += read;
      }
      return bytes;
    } finally {
      await reader.close();
    }
  }
}

function tryParse(bytes: Buffer, mediaType: string): ParsedManifest | undefined {
  try {
    return parseManifest(bytes, mediaType);
  } catch {
    return undefined;
  }
}

function manifestUnknown(repository: string, reference: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference.slice(0, 200)} is unknown in repository ${repository}`, { detail: { name: repository, reference: reference.slice(0, 200) } });
}

function blobUnknown(digest: string, repository: string): RegistryError {
  return new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest references ${digest}, which is not in repository ${repository}: push it first`, { detail: { digest } });
}
