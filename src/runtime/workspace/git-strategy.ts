// GIT_STRATEGY as both workspaces (local runs and the runner) read it: `none` and `empty` need no
// git at all and are done here; `clone` and `fetch` are returned for the caller's git work.
import { mkdir, rm } from 'node:fs/promises';

export type GitFetchStrategy = 'clone' | 'fetch';

/**
 * Applies `none` / `empty` to `targetDir` and returns undefined, or returns the git strategy to run.
 * An unknown value is thrown as `invalid(message)`, so each caller keeps its own error type.
 */
export async function applyGitStrategy(
  strategy: string, targetDir: string, log: (line: string) => void, invalid: (message: string) => Error,
): Promise<GitFetchStrategy | undefined> {
  if (strategy === 'none') {
    log('Skipping Git repository setup');
    await mkdir(targetDir, { recursive: true });
    return undefined;
  }
  if (strategy === 'empty') {
    log('Skipping Git repository setup and creating an empty build directory');
    await rm(targetDir, { recursive: true, force: true });
    await mkdir(targetDir, { recursive: true });
    return undefined;
  }
  if (strategy !== 'fetch' && strategy !== 'clone') throw invalid(`unknown GIT_STRATEGY "${strategy}": use clone, fetch, none or empty`);
  return strategy;
}
