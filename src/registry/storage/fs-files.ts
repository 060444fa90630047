// Small filesystem helpers for fs-storage: durable atomic writes (temp file + fsync + rename),
// tolerant reads and directory walks. Temp files live under the storage root so the rename never
// crosses a filesystem.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Writes `content` to `target` so readers see either the old file or the whole new one. */
export async function writeFileAtomic(tmpDir: string, target: string, content: string | Uint8Array, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, randomUUID());
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readTextIfExists(file: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function mtimeIfExists(file: string): Promise<Date | undefined> {
  try {
    return (await stat(file)).mtime;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Names of the sub-directories of `dir` (none when it does not exist). */
export async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Removes a directory tree; false when it did not exist. */
export async function removeDir(dir: string): Promise<boolean> {
  try {
    await stat(dir);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  await rm(dir, { recursive: true, force: true });
  return true;
}
