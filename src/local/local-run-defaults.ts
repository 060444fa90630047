// Defaults for a local run that depend on the machine: builds directory and concurrency.
import os from 'node:os';
import path from 'node:path';

/**
 * Builds directories live outside the project, so a job cannot pick up the user's node_modules,
 * virtualenvs or config files by walking up parent directories, which CI would not have.
 */
export function defaultBuildsRoot(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env['XDG_CACHE_HOME'] !== undefined && env['XDG_CACHE_HOME'] !== '' ? env['XDG_CACHE_HOME'] : path.join(os.homedir(), '.cache');
  const id = fnv1a(path.resolve(projectDir)).toString(16).padStart(8, '0');
  return path.join(cacheHome, 'drydock', 'builds', `${path.basename(projectDir)}-${id}`);
}

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism());
}

/** 32-bit FNV-1a of the UTF-16 code units: tells projects of the same name apart without loading node:crypto (~15 ms). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
