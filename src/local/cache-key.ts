// The key a cache is stored under: `cache:key` expanded with the job's variables, or for
// `cache:key:files` the SHA-1 of the last commits that changed those files (GitLab's files digest),
// prefixed with `cache:key:prefix`. Fallback keys follow: `cache:fallback_keys`, then CACHE_FALLBACK_KEY.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CacheSpec } from '../pipeline/spec/job-spec.js';

const execFileAsync = promisify(execFile);

export type Expand = (text: string) => string;

export async function resolveCacheKey(cache: CacheSpec, expand: Expand, repoDir: string, signal: AbortSignal): Promise<string> {
  if (cache.keyFiles !== undefined && cache.keyFiles.length > 0) {
    const digest = await filesDigest(cache.keyFiles, repoDir, signal);
    const prefix = cache.keyPrefix !== undefined ? expand(cache.keyPrefix) : '';
    return prefix !== '' ? `${prefix}-${digest}` : digest;
  }
  const key = expand(cache.key).trim();
  return key === '' ? 'default' : key;
}

/**
 * GitLab 16+ keeps protected and unprotected refs' caches apart ("Use separate caches for
 * protected branches", on by default): the server appends `-protected` or `-non_protected` to
 * the key and to `cache:fallback_keys`; `cache:unprotect: true` always gets `-non_protected`.
 */
export function protectionSuffix(cache: CacheSpec, refProtected: boolean): string {
  return refProtected && !cache.unprotect ? '-protected' : '-non_protected';
}

/** `cache:fallback_keys` (suffixed as the key), then the runner's CACHE_FALLBACK_KEY as written. */
export function fallbackKeys(cache: CacheSpec, expand: Expand, cacheFallbackKey: string | undefined, suffix = ''): string[] {
  const keys = cache.fallbackKeys.map(expand).filter((k) => k !== '').map((k) => `${k}${suffix}`);
  if (cacheFallbackKey !== undefined && cacheFallbackKey !== '') keys.push(cacheFallbackKey);
  return keys;
}

/** SHA-1 of the sorted, distinct last-commit ids of `files`; 'default' when none has a commit. */
export async function filesDigest(files: readonly string[], repoDir: string, signal: AbortSignal): Promise<string> {
  const ids: string[] = [];
  for (const f of files) {
    const { stdout } = await execFileAsync('git', ['log', '-1', '--format=%H', '--', f], { cwd: repoDir, signal }).catch(() => ({ stdout: '' }));
    const id = stdout.trim();
    if (id !== '') ids.push(id);
  }
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return 'default';
  // Loaded here: node:crypto costs every run ~15 ms of start-up, and only key:files needs it.
  const { createHash } = await import('node:crypto');
  return createHash('sha1').update(unique.join('-')).digest('hex');
}
