// Local caches, one directory copy per key under .drydock/cache/<key>/files. Writes go to a
// staging directory that replaces the old one with a rename, so a cancelled job never leaves a
// half-written cache behind and concurrent jobs read either the old or the new copy.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyRelative, listTree } from './file-tree.js';

export class CacheStore {
  constructor(private readonly root: string) {}

  /** The first key of `keys` that has a cache, with its directory. */
  async find(keys: readonly string[]): Promise<{ key: string; filesDir: string } | undefined> {
    for (const key of keys) {
      const dir = this.dirFor(key);
      if (await stat(path.join(dir, 'meta.json')).then(() => true, () => false)) {
        return { key, filesDir: path.join(dir, 'files') };
      }
    }
    return undefined;
  }

  async restore(filesDir: string, projectDir: string, signal: AbortSignal): Promise<number> {
    const files = await listTree(filesDir);
    await copyRelative(filesDir, projectDir, files, signal);
    return files.length;
  }

  async save(key: string, projectDir: string, files: readonly string[], signal: AbortSignal): Promise<void> {
    const dir = this.dirFor(key);
    const staging = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await mkdir(path.join(staging, 'files'), { recursive: true });
    try {
      await copyRelative(projectDir, path.join(staging, 'files'), files, signal);
      await writeFile(path.join(staging, 'meta.json'), `${JSON.stringify({ key, createdAt: new Date().toISOString(), fileCount: files.length })}\n`);
      const old = `${dir}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      await rename(dir, old).catch(() => undefined);
      await rename(staging, dir);
      await rm(old, { recursive: true, force: true });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async meta(key: string): Promise<{ createdAt: string; fileCount: number } | undefined> {
    const text = await readFile(path.join(this.dirFor(key), 'meta.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as { createdAt: string; fileCount: number });
  }

  /** Keys become one path segment: '/' and other unsafe characters are percent-encoded. */
  private dirFor(key: string): string {
    const safe = encodeURIComponent(key).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length));
    return path.join(this.root, safe);
  }
}
