// Where an archive lives in a distributed cache, as gitlab-runner names it (cache/cache.go):
// `[Path/][runner/<short-token>/]project/<project id>/<key>`; `Shared = true` drops the runner part.
import { posix } from 'node:path';
import type { CacheScope } from './cache-transport.js';

export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
}

/** Rejects keys that would leave the project's folder (`..`, absolute paths, empty segments only). */
export function checkCacheKey(key: string): string {
  const segments = key.split('/');
  if (key.trim() === '' || key.startsWith('/') || segments.some((s) => s === '..' || s === '.') || key.includes('\\') || key.includes('\0')) {
    throw new CacheKeyError(`cache key "${key}" is not allowed: it must be a relative name without "." or ".." parts`);
  }
  return segments.filter((s) => s !== '').join('/');
}

export function cacheObjectName(opts: { path?: string; shared: boolean }, scope: CacheScope, key: string): string {
  const parts = [
    (opts.path ?? '').replace(/^\/+|\/+$/g, ''),
    opts.shared ? '' : `runner/${scope.runnerShortToken}`,
    `project/${scope.projectId}`,
    checkCacheKey(key),
  ].filter((p) => p !== '');
  return posix.join(...parts);
}
