// Builds directories for local jobs: <buildsRoot>/<n>/<project path>, one per concurrency slot,
// reused between jobs and runs (GIT_STRATEGY=fetch). A lock file per directory keeps two
// `drydock run`s of the same project from sharing one; a lock whose process is gone is taken over.
import { open, readFile, rm } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface SlotLease {
  /** CI_CONCURRENT_ID: the directory's number. */
  index: number;
  dir: string;
  release(): Promise<void>;
}

export async function leaseBuildSlot(buildsRoot: string, preferred: number, stride: number): Promise<SlotLease> {
  await mkdir(buildsRoot, { recursive: true });
  for (let index = preferred; ; index += Math.max(1, stride)) {
    const lock = path.join(buildsRoot, `${index}.lock`);
    if (await tryLock(lock)) {
      return { index, dir: path.join(buildsRoot, String(index)), release: () => rm(lock, { force: true }) };
    }
  }
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    const fh = await open(lock, 'wx');
    await fh.writeFile(String(process.pid));
    await fh.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) return false;
  if (owner === process.pid) return false;
  await rm(lock, { force: true });
  return tryLock(lock);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
