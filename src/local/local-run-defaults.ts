// Defaults for a local run that depend on the machine: builds directory and concurrency.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/**
 * Builds directories live outside the project, so a job cannot pick up the user's node_modules,
 * virtualenvs or config files by walking up parent directories, which CI would not have.
 */
export function defaultBuildsRoot(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env['XDG_CACHE_HOME'] !== undefined && env['XDG_CACHE_HOME'] !== '' ? env['XDG_CACHE_HOME'] : path.join(os.homedir(), '.cache');
  const id = createHash('sha1').update(path.resolve(projectDir)).digest('hex').slice(0, 8);
  return path.join(cacheHome, 'drydock', 'builds', `${path.basename(projectDir)}-${id}`);
}

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism());
}
