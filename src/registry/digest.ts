// Content digests (`algorithm:hex`): parsing, the algorithms we can verify, and hashing helpers.
import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** The canonical `algorithm:hex` text. */
  digest: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
/** The spec's grammar; anything that matches but is not sha256/sha512 is unsupported here. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses a digest or returns undefined when it is malformed or uses an algorithm we cannot verify. */
export function tryParseDigest(text: string): ParsedDigest | undefined {
  if (!DIGEST_GRAMMAR.test(text)) return undefined;
  const colon = text.indexOf(':');
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[a-f0-9]+$/.test(hex)) return undefined;
  return { algorithm, hex, digest: text };
}

/** Parses a digest or throws DIGEST_INVALID naming the bad value. */
export function parseDigest(text: string): ParsedDigest {
  const parsed = tryParseDigest(text);
  if (!parsed) {
    throw new RegistryError('DIGEST_INVALID', `invalid digest "${text.slice(0, 200)}": expected sha256:<64 hex> or sha512:<128 hex>`);
  }
  return parsed;
}

export function isDigest(text: string): boolean {
  return tryParseDigest(text) !== undefined;
}

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

/** The digest of some bytes held in memory (manifests, tests). */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
