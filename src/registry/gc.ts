// Garbage collection of blobs nothing needs (`drydock registry gc`): mark every blob a manifest of
// any repository references (the manifest itself, its config and layers, an index's children),
// then sweep stored blobs that are unmarked — except blobs still within the grace period.
//
// Concurrency (GC may run while the registry serves):
// - Pulls are safe: a blob is only deleted when no manifest references it, and an open read
//   keeps its file descriptor even if the blob is unlinked under it.
// - Pushes in flight are protected three ways: a blob written, uploaded, mounted or confirmed by a
//   manifest push within `gracePeriodMs` is kept (a manifest push refreshes the repository links
//   of every blob it references before it is stored); every blob linked into a repository that
//   has a live upload session is kept; and a candidate's links and mtime are re-read just before
//   it is deleted. The remaining window (a manifest push validated in the instant between that
//   re-read and the unlink) needs a push that started before the grace period and stalled across
//   it; run GC with pushes paused (or a grace period longer than any push) for a hard guarantee,
//   as distribution requires read-only mode.
// - Upload sessions older than `uploadMaxAgeMs` are abandoned and purged.
//
// Untagged manifests (e.g. the old revision after a tag moved or was deleted) are kept, and so
// are their blobs, as distribution does by default. With `deleteUntagged` (distribution's
// `garbage-collect --delete-untagged`) a manifest no tag of its repository reaches — directly, or
// as a child of a tagged index — is deleted first, so its blobs are freed unless another manifest
// still needs them. An untagged manifest pushed within the grace period is kept: `docker manifest
// push` and `skopeo copy --all` push an index's children by digest before the index that tags them.
import { parseManifest, referencedBlobs, type ParsedManifest } from './manifest.js';
import type { BlobInfo, RegistryStorage } from './storage/registry-storage.js';

export interface GcOptions {
  signal: AbortSignal;
  /** Report what would be deleted without deleting anything. */
  dryRun?: boolean;
  /** Blobs written or (re)linked more recently than this are kept; default 1 hour. */
  gracePeriodMs?: number;
  /** Delete manifests no tag reaches (distribution's --delete-untagged); default false. */
  deleteUntagged?: boolean;
  /** Upload sessions older than this are removed; default 7 days (distribution's purge age). */
  uploadMaxAgeMs?: number;
  now?: () => Date;
  /** Progress and problems, one line each. */
  log?: (line: string) => void;
}

export interface GcReport {
  dryRun: boolean;
  repositories: number;
  manifests: number;
  blobs: number;
  markedBlobs: number;
  /** Deleted blobs (or, in a dry run, the ones that would be). */
  deleted: Array<{ digest: string; size: number }>;
  freedBytes: number;
  keptForGracePeriod: number;
  keptForUploads: number;
  /** `repository@digest` of the untagged manifests deleted (or, in a dry run, that would be). */
  deletedManifests: string[];
  purgedUploads: string[];
  removedLinks: number;
}

interface Link { repository: string; linkedAt: Date }

export async function collectGarbage(storage: RegistryStorage, options: GcOptions): Promise<GcReport> {
  const { signal } = options;
  const { blobs, metadata } = storage;
  const now = options.now ?? (() => new Date());
  const graceMs = options.gracePeriodMs ?? 60 * 60_000;
  const uploadMaxAgeMs = options.uploadMaxAgeMs ?? 7 * 24 * 60 * 60_000;
  const log = options.log ?? (() => undefined);
  const dryRun = options.dryRun ?? false;
  const report: GcReport = { dryRun, repositories: 0, manifests: 0, blobs: 0, markedBlobs: 0, deleted: [], freedBytes: 0, keptForGracePeriod: 0, keptForUploads: 0, deletedManifests: [], purgedUploads: [], removedLinks: 0 };

  // Upload sessions: live ones protect their repository's blobs, stale ones go.
  const uploadingRepos = new Set<string>();
  for await (const upload of blobs.listUploads(signal)) {
    if (now().getTime() - upload.startedAt.getTime() > uploadMaxAgeMs) {
      report.purgedUploads.push(upload.id);
      if (!dryRun) await blobs.cancelUpload(upload.id, signal);
    } else {
      uploadingRepos.add(upload.repository);
    }
  }

  // Mark.
  const marked = new Set<string>();
  const links = new Map<string, Link[]>();
  const repositories = await metadata.listRepositories(signal);
  report.repositories = repositories.length;
  for (const repository of repositories) {
    for (const link of await metadata.listBlobLinks(repository, signal)) {
      const list = links.get(link.digest) ?? [];
      list.push({ repository, linkedAt: link.linkedAt });
      links.set(link.digest, list);
    }
    const records = await metadata.listManifests(repository, signal);
    const parsed = new Map<string, ParsedManifest | undefined>();
    for (const record of records) parsed.set(record.digest, await readManifest(storage, record.digest, record.mediaType, signal));
    const keep = options.deleteUntagged ? await taggedClosure(storage, repository, parsed, signal) : undefined;
    for (const record of records) {
      if (keep && !keep.has(record.digest)) {
        const fresh = await storage.blobs.stat(record.digest, signal);
        if (fresh && fresh.modifiedAt.getTime() > now().getTime() - graceMs) {
          report.keptForGracePeriod += 1;
        } else {
          report.deletedManifests.push(`${repository}@${record.digest}`);
          if (!dryRun) await metadata.deleteManifest(repository, record.digest, signal);
          log(`gc: ${dryRun ? 'would delete' : 'deleted'} untagged manifest ${repository}@${record.digest}`);
          continue;
        }
      }
      report.manifests += 1;
      marked.add(record.digest);
      const manifest = parsed.get(record.digest);
      if (!manifest) {
        log(`gc: manifest ${repository}@${record.digest} is missing or unreadable; its blobs cannot be traced`);
        continue;
      }
      for (const digest of referencedBlobs(manifest)) marked.add(digest);
      for (const child of manifest.manifests) marked.add(child.digest);
    }
  }
  report.markedBlobs = marked.size;

  // Sweep.
  const stored = new Set<string>();
  for await (const blob of blobs.list(signal)) {
    report.blobs += 1;
    stored.add(blob.digest);
    if (marked.has(blob.digest)) continue;
    const verdict = await sweepVerdict(storage, blob, links.get(blob.digest) ?? [], uploadingRepos, now().getTime() - graceMs, signal);
    if (verdict === 'grace') report.keptForGracePeriod += 1;
    else if (verdict === 'upload') report.keptForUploads += 1;
    else {
      report.deleted.push({ digest: blob.digest, size: blob.size });
      report.freedBytes += blob.size;
      if (!dryRun) {
        await blobs.delete(blob.digest, signal);
        for (const link of links.get(blob.digest) ?? []) {
          if (await metadata.unlinkBlob(link.repository, blob.digest, signal)) report.removedLinks += 1;
        }
      }
      log(`gc: ${dryRun ? 'would delete' : 'deleted'} ${blob.digest} (${blob.size} bytes)`);
    }
  }

  // Links to blobs that no longer exist would only answer HEAD with a 404 later; drop them.
  for (const [digest, list] of links) {
    if (stored.has(digest)) continue;
    for (const link of list) {
      if (dryRun || link.linkedAt.getTime() > now().getTime() - graceMs) continue;
      if (await metadata.unlinkBlob(link.repository, digest, signal)) report.removedLinks += 1;
    }
  }
  return report;
}

async function sweepVerdict(storage: RegistryStorage, blob: BlobInfo, links: readonly Link[], uploadingRepos: ReadonlySet<string>, cutoff: number, signal: AbortSignal): Promise<'grace' | 'upload' | 'delete'> {
  if (links.some((l) => uploadingRepos.has(l.repository))) return 'upload';
  // Re-read just before deciding: a push may have touched the blob since the mark phase.
  const fresh = await storage.blobs.stat(blob.digest, signal);
  if (!fresh || fresh.modifiedAt.getTime() > cutoff) return 'grace';
  for (const link of links) {
    const current = await storage.metadata.getBlobLink(link.repository, blob.digest, signal);
    if (current && current.linkedAt.getTime() > cutoff) return 'grace';
  }
  return 'delete';
}

/** Digests of the repository's manifests a tag reaches: tagged ones and, transitively, index children. */
async function taggedClosure(storage: RegistryStorage, repository: string, parsed: ReadonlyMap<string, ParsedManifest | undefined>, signal: AbortSignal): Promise<Set<string>> {
  const reached = new Set<string>();
  const queue = (await storage.metadata.listTags(repository, signal)).map((t) => t.digest);
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (reached.has(digest)) continue;
    reached.add(digest);
    for (const child of parsed.get(digest)?.manifests ?? []) queue.push(child.digest);
  }
  return reached;
}

async function readManifest(storage: RegistryStorage, digest: string, mediaType: string, signal: AbortSignal): Promise<ParsedManifest | undefined> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.blobs.open(digest, undefined, signal)) chunks.push(chunk as Buffer);
    return parseManifest(Buffer.concat(chunks), mediaType);
  } catch {
    return undefined;
  }
}
