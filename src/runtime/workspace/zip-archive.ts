// Zip archives of a list of relative paths (artifacts and caches, as gitlab-runner's archiver makes
// them): files keep their mode, symlinks are stored as links (S_IFLNK + target), empty directories as
// directory entries. Extraction refuses entries that would land outside the target directory.
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readlink, rm, symlink, chmod } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { throwIfAborted } from '../../shared/abort.js';
import { nextZipEntry } from '../../shared/zip-entries.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export interface ZipStats { files: number; bytes: number }

/**
 * Writes `files` (relative to `root`, '/'-separated, directories ending in '/') into `destFile`.
 * Paths that vanished meanwhile are skipped. Resolves with what was archived.
 */
export async function createZip(root: string, files: readonly string[], destFile: string, signal: AbortSignal): Promise<ZipStats> {
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, createWriteStream(destFile), { signal });
  let count = 0;
  let bytes = 0;
  try {
    for (const rel of files) {
      throwIfAborted(signal);
      if (rel.endsWith('/')) {
        zip.addEmptyDirectory(rel);
        continue;
      }
      const abs = path.join(root, rel);
      const st = await lstat(abs).catch(() => undefined);
      if (st === undefined) continue;
      if (st.isSymbolicLink()) {
        zip.addBuffer(Buffer.from(await readlink(abs)), rel, { mode: S_IFLNK | 0o777, mtime: st.mtime, compress: false });
      } else if (st.isFile()) {
        zip.addFile(abs, rel, { mode: st.mode, mtime: st.mtime });
        bytes += st.size;
      } else {
        continue;
      }
      count++;
    }
  } finally {
    zip.end();
  }
  await written;
  return { files: count, bytes };
}

/** Extracts `zipFile` into `destDir` (created if missing), overwriting what is there. */
export async function extractZip(zipFile: string, destDir: string, signal: AbortSignal): Promise<ZipStats> {
  const zip = await yauzl.openPromise(zipFile, { lazyEntries: true, decodeStrings: true });
  const root = path.resolve(destDir);
  await mkdir(root, { recursive: true });
  let files = 0;
  let bytes = 0;
  const links: Array<{ at: string; target: string }> = [];
  try {
    for (let entry = await nextZipEntry(zip); entry !== undefined; entry = await nextZipEntry(zip)) {
      throwIfAborted(signal);
      const target = safeTarget(root, entry.fileName);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & S_IFMT;
      if (entry.fileName.endsWith('/') || type === S_IFDIR) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const existing = await lstat(target).catch(() => undefined);
      if (existing !== undefined && !existing.isFile()) await rm(target, { recursive: true, force: true });
      if (type === S_IFLNK) {
        // Links are made last so no later entry is written through one.
        links.push({ at: target, target: await readAll(await zip.openReadStreamPromise(entry)) });
        continue;
      }
      if (existing?.isFile()) await rm(target, { force: true });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(target), { signal });
      if ((mode & 0o777) !== 0) await chmod(target, mode & 0o7777);
      files++;
      bytes += entry.uncompressedSize;
    }
    for (const l of links) {
      await rm(l.at, { recursive: true, force: true });
      await symlink(l.target, l.at);
      files++;
    }
  } finally {
    zip.close();
  }
  return { files, bytes };
}

/** Number of entries that are files or links (for "N files" log lines). */
export async function countZipFiles(zipFile: string): Promise<number> {
  const zip = await yauzl.openPromise(zipFile, { lazyEntries: true });
  let n = 0;
  try {
    for (let e = await nextZipEntry(zip); e !== undefined; e = await nextZipEntry(zip)) if (!e.fileName.endsWith('/')) n++;
  } finally {
    zip.close();
  }
  return n;
}

function safeTarget(root: string, name: string): string {
  const target = path.resolve(root, name);
  if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`archive entry "${name}" points outside ${root}; refusing to extract it`);
  return target;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}
