// Parsing of the byte-range headers the registry speaks: `Range: bytes=..` on blob reads and
// `Content-Range: <start>-<end>` on upload chunks.
import { RegistryError, uploadRangeHeader } from '../errors.js';
import type { ByteRange } from '../storage/registry-storage.js';

/**
 * A blob read's `Range` header against a blob of `size` bytes: undefined for the whole blob
 * (no header, or a form we do not serve such as several ranges — HTTP lets us ignore those),
 * or the inclusive range; throws a 416 when it cannot be satisfied.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
    if (suffix === 0) start = size;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new RegistryError('SIZE_INVALID', `range ${header} is not satisfiable for a blob of ${size} bytes`, {
      status: 416,
      headers: { 'Content-Range': `bytes */${size}` },
    });
  }
  return { start, end };
}

/**
 * An upload chunk's `Content-Range` (`<start>-<end>`, inclusive; distribution also accepts a
 * `bytes ` prefix). Anything malformed, or disagreeing with Content-Length, is a 416.
 */
export function parseChunkRange(header: string | undefined, contentLength: string | undefined, currentSize: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  const start = m ? Number(m[1]) : NaN;
  const end = m ? Number(m[2]) : NaN;
  const length = contentLength === undefined ? undefined : Number(contentLength);
  if (!m || end < start || (length !== undefined && length !== end - start + 1)) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range "${header.slice(0, 100)}": expected <start>-<end> matching Content-Length, starting at ${currentSize}`, {
      status: 416,
      headers: { Range: uploadRangeHeader(currentSize) },
    });
  }
  return { start, end };
}
