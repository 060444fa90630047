// Repository metadata on disk, laid out like distribution's:
//   <root>/repositories/<name>/_layers/<alg>/<hex>/link                     blob access for the repo
//   <root>/repositories/<name>/_manifests/revisions/<alg>/<hex>/{link,mediatype}
//   <root>/repositories/<name>/_manifests/tags/<tag>/current/link
// Every file is written via temp + fsync + rename. Names and tags are re-validated here so no
// caller can walk out of the root. A link's mtime is the time it was last (re)linked.
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { parseDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { assertRepositoryName, isTag } from '../reference.js';
import { mtimeIfExists, readTextIfExists, removeDir, subdirectories, writeFileAtomic } from './fs-files.js';
import { byteOrder, type BlobLink, type ManifestRecord, type MetadataStore, type TagRecord } from './registry-storage.js';

export class FsMetadataStore implements MetadataStore {
  private readonly reposRoot: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.reposRoot = path.join(root, 'repositories');
    this.tmp = path.join(root, '_tmp');
  }

  private repoDir(repository: string): string {
    return path.join(this.reposRoot, ...assertRepositoryName(repository).split('/'));
  }

  private layerDir(repository: string, digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.repoDir(repository), '_layers', algorithm, hex);
  }

  private revisionDir(repository: string, digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.repoDir(repository), '_manifests', 'revisions', algorithm, hex);
  }

  private tagDir(repository: string, tag: string): string {
    if (!isTag(tag)) throw new RegistryError('MANIFEST_INVALID', `invalid tag "${tag.slice(0, 200)}"`);
    return path.join(this.repoDir(repository), '_manifests', 'tags', tag);
  }

  async listRepositories(signal: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      signal.throwIfAborted();
      for (const entry of await subdirectories(dir)) {
        if (entry.startsWith('_')) continue;
        const name = prefix ? `${prefix}/${entry}` : entry;
        if (await this.repositoryExists(name, signal)) found.push(name);
        await walk(path.join(dir, entry), name);
      }
    };
    await walk(this.reposRoot, '');
    return found.sort(byteOrder);
  }

  async repositoryExists(repository: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    const dir = this.repoDir(repository);
    for (const kind of [path.join('_layers'), path.join('_manifests', 'revisions')]) {
      for (const alg of await subdirectories(path.join(dir, kind))) {
        if ((await subdirectories(path.join(dir, kind, alg))).length > 0) return true;
      }
    }
    return false;
  }

  async linkBlob(repository: string, digest: string, signal: AbortSignal): Promise<void> {
    const link = path.join(this.layerDir(repository, digest), 'link');
    if (await mtimeIfExists(link)) {
      const now = new Date();
      await utimes(link, now, now);
      return;
    }
    await writeFileAtomic(this.tmp, link, digest, signal);
  }

  async getBlobLink(repository: string, digest: string, signal: AbortSignal): Promise<BlobLink | undefined> {
    signal.throwIfAborted();
    const linkedAt = await mtimeIfExists(path.join(this.layerDir(repository, digest), 'link'));
    return linkedAt && { digest, linkedAt };
  }

  async unlinkBlob(repository: string, digest: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    return removeDir(this.layerDir(repository, digest));
  }

  async listBlobLinks(repository: string, signal: AbortSignal): Promise<BlobLink[]> {
    const base = path.join(this.repoDir(repository), '_layers');
    const links: BlobLink[] = [];
    for (const alg of await subdirectories(base)) {
      for (const hex of await subdirectories(path.join(base, alg))) {
        signal.throwIfAborted();
        const linkedAt = await mtimeIfExists(path.join(base, alg, hex, 'link'));
        if (linkedAt) links.push({ digest: `${alg}:${hex}`, linkedAt });
      }
    }
    return links;
  }

  async putManifest(repository: string, record: ManifestRecord, signal: AbortSignal): Promise<void> {
    const dir = this.revisionDir(repository, record.digest);
    // The media type first: the link is what makes the revision exist.
    await writeFileAtomic(this.tmp, path.join(dir, 'mediatype'), record.mediaType, signal);
    await writeFileAtomic(this.tmp, path.join(dir, 'link'), record.digest, signal);
  }

  async getManifest(repository: string, digest: string, signal: AbortSignal): Promise<ManifestRecord | undefined> {
    const dir = this.revisionDir(repository, digest);
    const link = await readTextIfExists(path.join(dir, 'link'), signal);
    if (link === undefined) return undefined;
    const mediaType = await readTextIfExists(path.join(dir, 'mediatype'), signal);
    return { digest, mediaType: mediaType ?? 'application/vnd.oci.image.manifest.v1+json' };
  }

  async deleteManifest(repository: string, digest: string, signal: AbortSignal): Promise<boolean> {
    const existed = await removeDir(this.revisionDir(repository, digest));
    if (!existed) return false;
    for (const { tag, digest: target } of await this.listTags(repository, signal)) {
      if (target === digest) await removeDir(this.tagDir(repository, tag));
    }
    return true;
  }

  async listManifests(repository: string, signal: AbortSignal): Promise<ManifestRecord[]> {
    const base = path.join(this.repoDir(repository), '_manifests', 'revisions');
    const records: ManifestRecord[] = [];
    for (const alg of await subdirectories(base)) {
      for (const hex of await subdirectories(path.join(base, alg))) {
        const record = await this.getManifest(repository, `${alg}:${hex}`, signal);
        if (record) records.push(record);
      }
    }
    return records;
  }

  async setTag(repository: string, tag: string, digest: string, signal: AbortSignal): Promise<void> {
    parseDigest(digest);
    await writeFileAtomic(this.tmp, path.join(this.tagDir(repository, tag), 'current', 'link'), digest, signal);
  }

  async resolveTag(repository: string, tag: string, signal: AbortSignal): Promise<string | undefined> {
    const text = await readTextIfExists(path.join(this.tagDir(repository, tag), 'current', 'link'), signal);
    return text?.trim() || undefined;
  }

  async deleteTag(repository: string, tag: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    return removeDir(this.tagDir(repository, tag));
  }

  async listTags(repository: string, signal: AbortSignal): Promise<TagRecord[]> {
    const base = path.join(this.repoDir(repository), '_manifests', 'tags');
    const tags: TagRecord[] = [];
    for (const tag of await subdirectories(base)) {
      if (!isTag(tag)) continue;
      const digest = await this.resolveTag(repository, tag, signal);
      if (digest) tags.push({ tag, digest });
    }
    return tags.sort((a, b) => byteOrder(a.tag, b.tag));
  }
}
