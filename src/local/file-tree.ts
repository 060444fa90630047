// Copies a list of relative paths between two roots, keeping symlinks as links and file modes.
// Used for artifacts and caches (directory copies are faster than archives for local runs).
import { copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../shared/abort.js';

/** `files` as returned by resolvePaths: files/symlinks, and empty directories ending in '/'. */
export async function copyRelative(srcRoot: string, dstRoot: string, files: readonly string[], signal: AbortSignal): Promise<void> {
  const made = new Set<string>();
  const ensureDir = async (dir: string): Promise<void> => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
  for (const rel of files) {
    throwIfAborted(signal);
    if (rel.endsWith('/')) {
      await ensureDir(path.join(dstRoot, rel));
      continue;
    }
    const src = path.join(srcRoot, rel);
    const dst = path.join(dstRoot, rel);
    await ensureDir(path.dirname(dst));
    const st = await lstat(src).catch(() => undefined);
    if (st === undefined) continue;
    if (st.isSymbolicLink()) {
      await rm(dst, { force: true, recursive: true });
      await symlink(await readlink(src), dst);
    } else if (st.isFile()) {
      const existing = await lstat(dst).catch(() => undefined);
      if (existing !== undefined && !existing.isFile()) await rm(dst, { recursive: true, force: true });
      await copyFile(src, dst);
    }
  }
}

/** Every path under `root`, relative, in the same form as resolvePaths returns. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    if (entries.length === 0 && rel !== '') out.push(`${rel}/`);
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await visit(child);
      else out.push(child);
    }
  };
  await visit('');
  return out;
}
