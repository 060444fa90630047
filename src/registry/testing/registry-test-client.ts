// Test support (no test framework inside): raw HTTP requests that keep the path exactly as given
// (fetch would normalize `..` away), and helpers that push blobs and small images.
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { digestOf } from '../digest.js';
import { MEDIA_TYPES } from '../manifest.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): unknown;
}

export interface RawRequestOptions {
  headers?: Record<string, string>;
  body?: Uint8Array | AsyncIterable<Uint8Array>;
}

export function rawRequest(baseUrl: string, method: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as unknown });
      });
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else {
      void (async () => {
        try {
          for await (const chunk of body) req.write(chunk);
          req.end();
        } catch (error) {
          req.destroy(error as Error);
        }
      })();
    }
  });
}

/** A client bound to one registry, with the flows tests use over and over. */
export class RegistryTestClient {
  constructor(readonly baseUrl: string, private readonly headers: Record<string, string> = {}) {}

  request(method: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
    return rawRequest(this.baseUrl, method, path, { ...options, headers: { ...this.headers, ...options.headers } });
  }

  /** Monolithic POST-then-PUT upload; returns the digest. */
  async pushBlob(name: string, bytes: Uint8Array): Promise<string> {
    const digest = digestOf(bytes);
    const start = await this.request('POST', `/v2/${name}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.body.toString()}`);
    const location = String(start.headers.location);
    const sep = location.includes('?') ? '&' : '?';
    const done = await this.request('PUT', `${location}${sep}digest=${digest}`, { body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    if (done.status !== 201) throw new Error(`PUT upload: ${done.status} ${done.body.toString()}`);
    return digest;
  }

  async pushManifest(name: string, reference: string, manifest: Uint8Array, mediaType: string): Promise<RawResponse> {
    return this.request('PUT', `/v2/${name}/manifests/${reference}`, { body: manifest, headers: { 'Content-Type': mediaType } });
  }

  /** Pushes a config and `layers` and an image manifest of `mediaType`; returns its bytes and digest. */
  async pushImage(name: string, tag: string, layers: Uint8Array[], options: { mediaType?: string; extra?: Record<string, unknown> } = {}): Promise<{ digest: string; bytes: Buffer; configDigest: string; layerDigests: string[] }> {
    const mediaType = options.mediaType ?? MEDIA_TYPES.ociManifest;
    const docker = mediaType === MEDIA_TYPES.dockerManifest;
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const configDigest = await this.pushBlob(name, config);
    const layerDigests: string[] = [];
    for (const layer of layers) layerDigests.push(await this.pushBlob(name, layer));
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l, i) => ({ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigests[i]!, size: l.length })),
      ...options.extra,
    };
    // Indented on purpose: the registry must hand these exact bytes back.
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const res = await this.pushManifest(name, tag, bytes, mediaType);
    if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${res.body.toString()}`);
    return { digest: digestOf(bytes), bytes, configDigest, layerDigests };
  }
}
