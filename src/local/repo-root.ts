// Finds the git work tree a local run uses, with a clear message when there is none.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class RepoRootError extends Error {
  override readonly name = 'RepoRootError';
}

/** Top level of the work tree containing `dir`, and its HEAD commit. */
export async function findRepoRoot(dir: string, signal: AbortSignal): Promise<{ root: string; head: string }> {
  const run = (args: string[]): Promise<string> =>
    execFileAsync('git', args, { cwd: dir, signal }).then((r) => r.stdout.trim());
  // One git call in the common case: the top level and HEAD together.
  const both = await run(['rev-parse', '--show-toplevel', '--verify', '-q', 'HEAD^{commit}']).catch(() => undefined);
  const [top, head] = both?.split('\n') ?? [];
  if (top && head) return { root: top, head };
  let root: string;
  try {
    root = await run(['rev-parse', '--show-toplevel']);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RepoRootError(!(await exists(dir)) ? `${dir}: no such directory` : 'git is not installed or not on PATH; drydock run needs git');
    }
    throw new RepoRootError(`${dir} is not inside a git repository; drydock run checks out the repository's HEAD for each job (run "git init" and commit first)`);
  }
  throw new RepoRootError(`${root} has no commits yet; drydock run checks out HEAD for each job: commit first`);
}

async function exists(p: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(p).then(() => true, () => false);
}
