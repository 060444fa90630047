// Temporary git repositories for e2e tests: files, commits, an optional `origin` remote.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export interface TempRepo {
  dir: string;
  /** Runs git in the repo and returns its stdout, trimmed. */
  git(...args: string[]): string;
  write(file: string, content: string): void;
  /** `git add -A && git commit`; returns the new HEAD. */
  commit(message?: string): string;
  remove(): void;
}

export function createTempRepo(files: Record<string, string>, opts: { origin?: string; name?: string } = {}): TempRepo {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-'));
  const dir = path.join(parent, opts.name ?? 'project');
  mkdirSync(dir);
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'dev@example.com');
  git('config', 'user.name', 'Dev');
  git('config', 'commit.gpgsign', 'false');
  if (opts.origin !== undefined) git('remote', 'add', 'origin', opts.origin);
  const write = (file: string, content: string): void => {
    const p = path.join(dir, file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  };
  for (const [f, c] of Object.entries(files)) write(f, c);
  const commit = (message = 'commit'): string => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commit('initial');
  return { dir, git, write, commit, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/**
 * A factory for repos holding a .gitlab-ci.yml (plus `files`), all removed after the calling test
 * file's tests: call once at the top level of a test file.
 */
export function ciRepoFactory(): (ci: string, files?: Record<string, string>) => TempRepo {
  const repos: TempRepo[] = [];
  afterAll(() => { for (const r of repos) r.remove(); });
  return (ci, files = {}) => {
    const r = createTempRepo({ '.gitlab-ci.yml': ci, ...files });
    repos.push(r);
    return r;
  };
}
