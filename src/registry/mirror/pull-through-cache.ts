// B2: a pull-through cache of an upstream registry (what dockerd's --registry-mirror points at).
// Before the normal read handlers serve from local storage, content missing there is fetched
// from upstream: blobs are streamed into a verified upload (digest checked, nothing partial
// visible), manifests stored byte-for-byte with their media type. A tag is re-checked upstream
// with a HEAD (Docker Hub does not count HEADs against its pull limit) and served from the cache
// when the digest is unchanged — or whenever upstream cannot be reached (offline from cache).
import { digestOf, parseDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import type { RouteMatch } from '../http/route-match.js';
import type { PullThroughHook } from '../http/registry-routes.js';
import { MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES, bareMediaType, parseManifest } from '../manifest.js';
import { parseManifestReference } from '../reference.js';
import { putBlobBytes } from '../storage/put-blob-bytes.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { UpstreamClient, type UpstreamOptions } from './upstream-client.js';

export interface PullThroughLog {
  (line: string): void;
}

const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export class PullThroughCache implements PullThroughHook {
  private readonly upstream: UpstreamClient;
  /** Fetches in progress by key, so concurrent pulls of one layer download it once. */
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly storage: RegistryStorage, upstream: UpstreamOptions, private readonly log: PullThroughLog = () => undefined) {
    this.upstream = new UpstreamClient(upstream);
  }

  async beforeRead(match: RouteMatch, signal: AbortSignal): Promise<void> {
    if (match.route === 'manifest') return this.once(`m:${match.name}:${match.reference}`, () => this.ensureManifest(match.name, match.reference, signal));
    if (match.route === 'blob') return this.once(`b:${match.name}:${match.digest}`, () => this.ensureBlob(match.name, match.digest, signal));
  }

  private once(key: string, work: () => Promise<void>): Promise<void> {
    const running = this.inflight.get(key);
    if (running) return running;
    const started = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }

  private async ensureManifest(name: string, reference: string, signal: AbortSignal): Promise<void> {
    const ref = parseManifestReference(reference);
    const { metadata } = this.storage;
    const cachedDigest = ref.kind === 'digest' ? ref.digest.digest : await metadata.resolveTag(name, ref.tag, signal);
    const cached = cachedDigest ? await metadata.getManifest(name, cachedDigest, signal) : undefined;
    if (cached && ref.kind === 'digest') return; // content-addressed: never changes
    try {
      if (cached) {
        const head = await this.upstream.request(name, `manifests/${reference}`, { method: 'HEAD', headers: { accept: ACCEPT } }, signal);
        if (head.ok && head.headers.get('docker-content-digest') === cached.digest) return;
      }
      const res = await this.upstream.request(name, `manifests/${reference}`, { method: 'GET', headers: { accept: ACCEPT } }, signal);
      if (res.status === 404) {
        await res.body?.cancel();
        this.log(`mirror: ${name}:${reference} not found upstream${cached ? ', serving the cached manifest' : ''}`);
        if (cached) return;
        throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} of ${name} is unknown upstream (${this.upstream.url})`, { detail: { name, reference } });
      }
      if (!res.ok) throw new Error(`upstream answered ${res.status} for the manifest ${name}:${reference}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length > MAX_MANIFEST_BYTES) throw new Error(`upstream manifest ${name}:${reference} is larger than ${MAX_MANIFEST_BYTES} bytes`);
      const manifest = parseManifest(bytes, bareMediaType(res.headers.get('content-type') ?? undefined));
      const algorithm = ref.kind === 'digest' ? ref.digest.algorithm : 'sha256';
      const digest = digestOf(bytes, algorithm);
      if (ref.kind === 'digest' && digest !== ref.digest.digest) throw new Error(`upstream sent a manifest with digest ${digest} for ${reference}`);
      await putBlobBytes(this.storage.blobs, name, bytes, signal, algorithm);
      await metadata.putManifest(name, { digest, mediaType: manifest.mediaType }, signal);
      if (ref.kind === 'tag') await metadata.setTag(name, ref.tag, digest, signal);
      this.log(`mirror: cached manifest ${name}:${reference} (${digest})`);
    } catch (err) {
      if (err instanceof RegistryError || signal.aborted) throw err;
      if (cached) {
        this.log(`mirror: upstream unreachable for ${name}:${reference}, serving the cached manifest (${(err as Error).message})`);
        return;
      }
      throw new RegistryError('UNKNOWN', `cannot fetch ${name}:${reference} from ${this.upstream.url}: ${(err as Error).message}`);
    }
  }

  private async ensureBlob(name: string, digest: string, signal: AbortSignal): Promise<void> {
    const parsed = parseDigest(digest);
    const { blobs, metadata } = this.storage;
    if (await blobs.stat(digest, signal)) {
      if (!(await metadata.getBlobLink(name, digest, signal))) await metadata.linkBlob(name, digest, signal);
      return;
    }
    let res: Response;
    try {
      res = await this.upstream.request(name, `blobs/${digest}`, { method: 'GET' }, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new RegistryError('UNKNOWN', `cannot fetch blob ${digest} of ${name} from ${this.upstream.url}: ${(err as Error).message}`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} of ${name} is unknown upstream`, { detail: { digest } });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new RegistryError('UNKNOWN', `upstream ${this.upstream.url} answered ${res.status} for blob ${digest} of ${name}`);
    }
    const upload = await blobs.startUpload(name, signal);
    try {
      await blobs.appendUpload(upload.id, 0, res.body as AsyncIterable<Uint8Array>, signal);
      // completeUpload verifies the digest: a corrupted or hostile upstream cannot poison the cache.
      await blobs.completeUpload(upload.id, parsed.digest, signal);
    } catch (err) {
      await blobs.cancelUpload(upload.id, signal).catch(() => false);
      throw err;
    }
    await metadata.linkBlob(name, digest, signal);
    this.log(`mirror: cached blob ${name}@${digest}`);
  }
}
