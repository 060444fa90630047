// Manifest formats the registry accepts (Docker schema 2 and manifest lists, OCI image manifests
// and indexes): parsing, validation against the spec's shape, and the digests a manifest needs.
// The bytes themselves are never re-serialized: the registry stores and serves what was pushed.
import { z } from 'zod';
import { tryParseDigest } from './digest.js';
import { RegistryError } from './errors.js';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex]);
export const MANIFEST_MEDIA_TYPES: readonly string[] = [...IMAGE_TYPES, ...INDEX_TYPES];

/** 4 MiB: the size the spec says clients and registries should expect to support. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string().refine((d) => tryParseDigest(d) !== undefined, 'must be sha256:<64 hex> or sha512:<128 hex>'),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
}).passthrough();

const imageSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
}).passthrough();

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
}).passthrough();

export type Descriptor = z.infer<typeof descriptorSchema>;

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  artifactType?: string;
  config?: Descriptor;
  layers: Descriptor[];
  /** Child manifests of an index / manifest list. */
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Media type without parameters, lowercased (`Content-Type: a/b; charset=x` → `a/b`). */
export function bareMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : undefined;
}

/**
 * Parses and validates a pushed manifest. The media type is the body's `mediaType` field or, when
 * absent, the request's Content-Type; when both are given they must agree.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw invalid(`manifest is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('manifest must be a JSON object');
  const declared = (json as { mediaType?: unknown }).mediaType;
  const header = bareMediaType(contentType);
  if (declared !== undefined && typeof declared !== 'string') throw invalid('manifest field mediaType must be a string');
  if (declared && header && declared !== header && header !== 'application/json') {
    throw invalid(`Content-Type "${header}" does not match the manifest's mediaType "${declared}"`);
  }
  const mediaType = declared || header;
  if (!mediaType) throw invalid('manifest has no mediaType field and the request no Content-Type');
  if (IMAGE_TYPES.has(mediaType)) {
    const parsed = imageSchema.safeParse(json);
    if (!parsed.success) throw invalid(`${mediaType}: ${describeIssues(parsed.error)}`);
    const m = parsed.data;
    return { mediaType, kind: 'image', artifactType: m.artifactType, config: m.config, layers: m.layers, manifests: [], subject: m.subject, annotations: m.annotations };
  }
  if (INDEX_TYPES.has(mediaType)) {
    const parsed = indexSchema.safeParse(json);
    if (!parsed.success) throw invalid(`${mediaType}: ${describeIssues(parsed.error)}`);
    const m = parsed.data;
    return { mediaType, kind: 'index', artifactType: m.artifactType, layers: [], manifests: m.manifests, subject: m.subject, annotations: m.annotations };
  }
  throw invalid(`unsupported manifest media type "${mediaType}": push one of ${MANIFEST_MEDIA_TYPES.join(', ')}`);
}

/** Blobs (config and layers) a manifest needs, skipping foreign layers served from `urls`. */
export function referencedBlobs(manifest: ParsedManifest): string[] {
  const blobs = manifest.config ? [manifest.config.digest] : [];
  for (const layer of manifest.layers) if (!layer.urls?.length) blobs.push(layer.digest);
  return blobs;
}

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
