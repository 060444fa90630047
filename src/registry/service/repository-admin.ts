// Read and delete operations for management APIs (GitLab's container registry REST API, the
// `drydock registry` CLI): tag summaries with sizes and revisions, and removing a tag or a whole
// repository. Bytes stay until garbage collection finds nothing else needs them.
import { parseManifest } from '../manifest.js';
import { RegistryError } from '../errors.js';
import type { RegistryStorage } from '../storage/registry-storage.js';

export interface TagSummary {
  name: string;
  /** The manifest digest the tag points at. */
  digest: string;
  mediaType: string;
  /** The image config digest's hex (GitLab's `revision`), or the manifest's for an index. */
  revision: string;
  /** Config + layers (+ manifest) bytes; for an index the sum of its platforms' images. */
  totalSize: number;
  /** The image config's `created`, when it says. */
  createdAt: string | null;
}

export class RepositoryAdmin {
  constructor(private readonly storage: RegistryStorage) {}

  async tags(repository: string, signal: AbortSignal): Promise<string[]> {
    return (await this.storage.metadata.listTags(repository, signal)).map((t) => t.tag);
  }

  async tag(repository: string, tag: string, signal: AbortSignal): Promise<TagSummary | undefined> {
    const digest = await this.storage.metadata.resolveTag(repository, tag, signal);
    if (!digest) return undefined;
    const record = await this.storage.metadata.getManifest(repository, digest, signal);
    if (!record) return undefined;
    const summary = await this.summarize(digest, record.mediaType, signal, 0);
    return { name: tag, digest, mediaType: record.mediaType, ...summary };
  }

  async deleteTag(repository: string, tag: string, signal: AbortSignal): Promise<boolean> {
    return this.storage.metadata.deleteTag(repository, tag, signal);
  }

  /** Removes every manifest, tag and blob link of the repository; false when it did not exist. */
  async deleteRepository(repository: string, signal: AbortSignal): Promise<boolean> {
    const { metadata } = this.storage;
    if (!(await metadata.repositoryExists(repository, signal))) return false;
    for (const m of await metadata.listManifests(repository, signal)) await metadata.deleteManifest(repository, m.digest, signal);
    for (const l of await metadata.listBlobLinks(repository, signal)) await metadata.unlinkBlob(repository, l.digest, signal);
    return true;
  }

  private async summarize(digest: string, mediaType: string, signal: AbortSignal, depth: number): Promise<Omit<TagSummary, 'name' | 'digest' | 'mediaType'>> {
    if (depth > 1) throw new RegistryError('MANIFEST_INVALID', `manifest ${digest} nests indexes too deeply`);
    const bytes = await this.read(digest, signal);
    const manifest = parseManifest(bytes, mediaType);
    if (manifest.kind === 'index') {
      let totalSize = bytes.length;
      for (const child of manifest.manifests) {
        const childSummary = await this.summarize(child.digest, child.mediaType, signal, depth + 1).catch(() => undefined);
        totalSize += childSummary?.totalSize ?? child.size;
      }
      return { revision: digest.slice(digest.indexOf(':') + 1), totalSize, createdAt: null };
    }
    const config = manifest.config;
    const totalSize = bytes.length + (config?.size ?? 0) + manifest.layers.reduce((n, l) => n + l.size, 0);
    let createdAt: string | null = null;
    if (config) {
      const parsed = await this.read(config.digest, signal).then((b) => JSON.parse(b.toString('utf8')) as { created?: unknown }, () => undefined);
      if (typeof parsed?.created === 'string') createdAt = parsed.created;
    }
    const revisionOf = config?.digest ?? digest;
    return { revision: revisionOf.slice(revisionOf.indexOf(':') + 1), totalSize, createdAt };
  }

  private async read(digest: string, signal: AbortSignal): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.blobs.open(digest, undefined, signal)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
