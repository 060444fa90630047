// What every registry route handler receives.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryAuth } from '../auth/registry-auth.js';
import type { BlobService } from '../service/blob-service.js';
import type { ManifestService } from '../service/manifest-service.js';

export interface RouteContext {
  request: FastifyRequest;
  reply: FastifyReply;
  query: URLSearchParams;
  /** Fires when the client goes away before the response is finished. */
  signal: AbortSignal;
  blobs: BlobService;
  manifests: ManifestService;
  auth: RegistryAuth;
}

export function blobLocation(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

export function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

/** RFC 5988 `Link` for the next page of a tag list or catalog. */
export function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}
