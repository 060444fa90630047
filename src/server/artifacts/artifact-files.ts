// Artifact bytes on disk: <root>/<job id>/<file type>. Written to a temp file, fsynced and renamed,
// so an artifact the runner got a 201 for is complete and durable.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The upload hit the size limit: nothing was stored. */
export class ArtifactTooLargeError extends Error {
  override readonly name = 'ArtifactTooLargeError';
}

export class ArtifactFiles {
  constructor(readonly root: string) {}

  pathOf(jobId: number, fileType: string): string {
    return path.join(this.root, String(jobId), fileType.replace(/[^a-z0-9_]/gi, '_'));
  }

  /** Streams `data` to the artifact's file; returns its size. `truncated` tells whether the upload hit its limit. */
  async save(jobId: number, fileType: string, data: Readable, truncated: () => boolean, signal: AbortSignal): Promise<number> {
    const target = this.pathOf(jobId, fileType);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      await pipeline(data, createWriteStream(temp), { signal });
      if (truncated()) throw new ArtifactTooLargeError('artifact is larger than the limit');
      const handle = await open(temp, 'r');
      try { await handle.sync(); } finally { await handle.close(); }
      await rename(temp, target);
      // The rename itself is durable only once the directory is synced.
      const dir = await open(path.dirname(target), 'r');
      try { await dir.sync(); } finally { await dir.close(); }
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return (await stat(target)).size;
  }

  read(jobId: number, fileType: string): Readable {
    return createReadStream(this.pathOf(jobId, fileType));
  }
}
