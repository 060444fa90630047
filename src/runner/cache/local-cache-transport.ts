// The default cache store: a directory on the runner's machine. Layout
// `<dir>/[runner/<short-token>/]project/<id>/<key>/cache.zip`: per runner like gitlab-runner's docker
// cache volumes (runner-<short>-project-<id>-...), shared by all runners with `Shared = true`. Writes go to a temp file beside the target and are renamed over it,
// so a concurrent job reads the old archive or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cacheObjectName } from './cache-object-name.js';
import type { CacheScope, CacheTransport } from './cache-transport.js';

export class LocalCacheTransport implements CacheTransport {
  readonly description: string;

  constructor(private readonly dir: string, private readonly scope: CacheScope, private readonly shared = false) {
    this.description = `local ${dir}`;
  }

  private fileFor(key: string): string {
    return path.join(this.dir, ...cacheObjectName({ shared: this.shared }, this.scope, key).split('/'), 'cache.zip');
  }

  async fetch(key: string, destFile: string, signal: AbortSignal): Promise<boolean> {
    const source = this.fileFor(key);
    try {
      await copyAtomically(source, destFile, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (err as NodeJS.ErrnoException).path === source) return false;
      throw err;
    }
  }

  async store(key: string, srcFile: string, signal: AbortSignal): Promise<void> {
    await copyAtomically(srcFile, this.fileFor(key), signal);
  }
}

async function copyAtomically(from: string, to: string, signal: AbortSignal): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await pipeline(createReadStream(from), createWriteStream(tmp, { mode: 0o600 }), { signal });
    await rename(tmp, to);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
