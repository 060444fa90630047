// Repository names, tags and manifest references as the distribution spec defines them. These
// checks are also the path-traversal guard: a name that passes can be joined under a storage root.
import { RegistryError } from './errors.js';
import { tryParseDigest, type ParsedDigest } from './digest.js';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

/** Throws NAME_INVALID unless `name` is a valid repository name (no `..`, no empty or odd components). */
export function assertRepositoryName(name: string): string {
  if (!isRepositoryName(name)) {
    throw new RegistryError('NAME_INVALID', `invalid repository name "${name.slice(0, 300)}": use lowercase path components [a-z0-9] separated by '.', '_', '__' or '-', joined by '/', under 256 characters`, { detail: { name: name.slice(0, 300) } });
  }
  return name;
}

export function isTag(text: string): boolean {
  return TAG.test(text);
}

export type ManifestReference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: ParsedDigest };

/** A manifest reference is a tag or a digest; anything else is rejected with the right code. */
export function parseManifestReference(text: string): ManifestReference {
  if (text.includes(':')) {
    const digest = tryParseDigest(text);
    if (!digest) throw new RegistryError('DIGEST_INVALID', `invalid manifest digest "${text.slice(0, 200)}"`);
    return { kind: 'digest', digest };
  }
  if (!isTag(text)) {
    throw new RegistryError('MANIFEST_INVALID', `invalid tag "${text.slice(0, 200)}": tags match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`);
  }
  return { kind: 'tag', tag: text };
}
