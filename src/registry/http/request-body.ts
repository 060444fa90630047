// Reading a bounded request body into memory (manifests); uploads stream instead.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errors.js';

export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(limit: number): RegistryError {
  return new RegistryError('SIZE_INVALID', `manifest is larger than ${limit} bytes`, { status: 413 });
}

/** True when the request carries (or may carry) a body. */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}
