// B1: a persistent Docker layer cache for dind services. The service's /var/lib/docker lives in a
// volume per project and concurrency slot, so the second `docker build` of unchanged layers is a
// cache hit without any registry. A lock file per volume makes sure only one job at a time uses
// a slot (two dockerds on one /var/lib/docker would corrupt it); a concurrent job takes the next
// slot, and a lock left by a dead process is taken over.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorError } from '../executor.js';
import { ownerAlive, ownerId } from './cleanup.js';
import { LABELS } from './container-names.js';

export interface LayerCacheLease {
  volume: string;
  slot: number;
  release(): Promise<void>;
}

export interface LayerCacheOptions {
  projectPath: string;
  /** How many jobs of one project may each have their own cache at once. */
  slots: number;
  lockDir?: string;
  signal: AbortSignal;
}

export function layerCacheVolumeName(projectPath: string, slot: number): string {
  const hash = createHash('sha256').update(projectPath).digest('hex').slice(0, 12);
  return `drydock-layer-cache-${hash}-${slot}`;
}

async function tryLock(path: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(ownerId());
      await fh.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = await readFile(path, 'utf8').catch(() => '');
      if (ownerAlive(owner.trim())) return false;
      await unlink(path).catch(() => {}); // stale: its process is gone
    }
  }
  return false;
}

export async function acquireLayerCache(docker: Docker, opts: LayerCacheOptions): Promise<LayerCacheLease> {
  const lockDir = opts.lockDir ?? join(tmpdir(), 'drydock-layer-cache');
  await mkdir(lockDir, { recursive: true });
  for (let slot = 0; slot < opts.slots; slot++) {
    const volume = layerCacheVolumeName(opts.projectPath, slot);
    const lock = join(lockDir, `${volume}.lock`);
    if (!(await tryLock(lock))) continue;
    try {
      await docker.createVolume({
        Name: volume,
        Labels: { [LABELS.managed]: 'true', [LABELS.type]: 'layer-cache', [LABELS.project]: opts.projectPath },
        abortSignal: opts.signal,
      });
    } catch (err) {
      await unlink(lock).catch(() => {});
      throw new ExecutorError(`cannot create layer cache volume ${volume}: ${(err as Error).message}`, 'runner_system_failure', { cause: err });
    }
    return { volume, slot, release: () => unlink(lock).catch(() => {}) };
  }
  throw new ExecutorError(`all ${opts.slots} layer cache slots of ${opts.projectPath} are in use by other jobs; wait for one to finish or raise the slot count`, 'runner_system_failure');
}
