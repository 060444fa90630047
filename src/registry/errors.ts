// The OCI distribution error catalogue in one place: every failure the registry reports is a
// RegistryError carrying a spec code, and this module alone decides the HTTP status and body.

export const REGISTRY_ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOO_MANY_REQUESTS: { status: 429, message: 'too many requests' },
  // Not in the OCI table but spoken by distribution for bad `n` values; clients treat it as UNKNOWN.
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

export interface RegistryErrorOptions {
  detail?: unknown;
  /** Overrides the catalogue status (e.g. 416 for an out-of-order chunk, 413 for a huge manifest). */
  status?: number;
  /** Extra response headers (e.g. `Range` on a 416, `WWW-Authenticate` on a 401). */
  headers?: Record<string, string>;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Readonly<Record<string, string>>;
  constructor(readonly code: RegistryErrorCode, message?: string, options: RegistryErrorOptions = {}) {
    super(message ?? REGISTRY_ERROR_CODES[code].message);
    this.status = options.status ?? REGISTRY_ERROR_CODES[code].status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

/** Thrown by a store when a chunk does not start where the upload currently ends (HTTP 416). */
export function uploadRangeError(currentSize: number): RegistryError {
  return new RegistryError('BLOB_UPLOAD_INVALID', `chunk must start at offset ${currentSize}`, {
    status: 416,
    headers: { Range: uploadRangeHeader(currentSize) },
    detail: { offset: currentSize },
  });
}

/** `Range: 0-<last byte>` as distribution writes it (`0-0` for an empty upload). */
export function uploadRangeHeader(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}

export interface RegistryErrorBody {
  errors: Array<{ code: string; message: string; detail?: unknown }>;
}

/** The JSON body for one error, in the spec's `{"errors":[...]}` shape. */
export function registryErrorBody(error: RegistryError): RegistryErrorBody {
  const entry: { code: string; message: string; detail?: unknown } = { code: error.code, message: error.message };
  if (error.detail !== undefined) entry.detail = error.detail;
  return { errors: [entry] };
}
