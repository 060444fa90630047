import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromGitRepo, parseRemote } from './repo-context.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'drydock-repo-ctx-'));
  dirs.push(d);
  return d;
}
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const vars = (c: { variables: Array<{ key: string; value: string }> }) => Object.fromEntries(c.variables.map((v) => [v.key, v.value]));

describe('contextFromGitRepo', () => {
  it('reads branch, sha, files, changes and predefined variables from a repository', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q', '-b', 'feature/X-1');
    git(dir, 'config', 'user.name', 'Ada Lovelace');
    git(dir, 'config', 'user.email', 'ada@example.com');
    git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:group/sub/app.git');
    writeFileSync(path.join(dir, 'a.txt'), 'a');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    writeFileSync(path.join(dir, 'b.txt'), 'b');
    writeFileSync(path.join(dir, 'untracked.txt'), 'u');
    git(dir, 'add', 'b.txt');
    git(dir, 'commit', '-q', '-m', 'Add b\n\nLonger description');
    const head = git(dir, 'rev-parse', 'HEAD').trim();

    const c = await contextFromGitRepo(dir, { variables: [{ key: 'CI_COMMIT_BRANCH', value: 'override' }] });
    expect(c).toMatchObject({ ref: 'feature/X-1', refType: 'branch', source: 'push', sha: head, defaultBranch: 'feature/X-1' });
    expect([...c.repo.listFiles()].sort()).toEqual(['a.txt', 'b.txt', 'untracked.txt']);
    expect(c.repo.changedFiles()).toEqual(['b.txt']);
    const v = vars(c);
    expect(v).toMatchObject({
      CI: 'true', GITLAB_CI: 'true', CI_COMMIT_SHA: head, CI_COMMIT_SHORT_SHA: head.slice(0, 8),
      CI_COMMIT_REF_NAME: 'feature/X-1', CI_COMMIT_REF_SLUG: 'feature-x-1', CI_COMMIT_TITLE: 'Add b',
      CI_COMMIT_DESCRIPTION: 'Longer description', CI_PROJECT_PATH: 'group/sub/app', CI_PROJECT_NAME: 'app',
      CI_PROJECT_NAMESPACE: 'group/sub', CI_PROJECT_PATH_SLUG: 'group-sub-app', CI_SERVER_HOST: 'gitlab.example.com',
      GITLAB_USER_NAME: 'Ada Lovelace', GITLAB_USER_EMAIL: 'ada@example.com', CI_PIPELINE_SOURCE: 'push',
    });
    // User variables come last, so they win.
    expect(c.variables.at(-1)).toEqual({ key: 'CI_COMMIT_BRANCH', value: 'override' });
    expect(c.warnings).toEqual([]);

    git(dir, 'tag', 'v1.0');
    const t = await contextFromGitRepo(dir, { ref: 'v1.0' });
    expect(t).toMatchObject({ ref: 'v1.0', refType: 'tag' });
    expect(vars(t).CI_COMMIT_TAG).toBe('v1.0');
    expect(vars(t).CI_COMMIT_BRANCH).toBeUndefined();
    expect(t.repo.changedFiles()).toBeUndefined();
  });

  it('reads detached heads, tags, merges, root commits, origin HEAD and ignored files like git does', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q', '-b', 'dev');
    git(dir, 'config', 'user.name', 'A');
    git(dir, 'config', 'user.email', 'a@example.com');
    writeFileSync(path.join(dir, '.gitignore'), '*.log\n');
    writeFileSync(path.join(dir, 'a.txt'), 'a');
    writeFileSync(path.join(dir, 'debug.log'), 'ignored');
    git(dir, 'add', '.gitignore', 'a.txt');
    git(dir, 'commit', '-q', '-m', 'root');
    const root = await contextFromGitRepo(dir);
    expect(vars(root).CI_COMMIT_BEFORE_SHA).toBe('0'.repeat(40));
    expect(root.repo.changedFiles()).toEqual(['.gitignore', 'a.txt']);
    expect([...root.repo.listFiles()].sort()).toEqual(['.gitignore', 'a.txt']);
    expect(root.defaultBranch).toBe('dev');
    const rootSha = root.sha;

    git(dir, 'checkout', '-q', '-b', 'side');
    writeFileSync(path.join(dir, 's.txt'), 's');
    git(dir, 'add', 's.txt');
    git(dir, 'commit', '-q', '-m', 'side');
    git(dir, 'checkout', '-q', 'dev');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'empty');
    git(dir, 'merge', '-q', '--no-edit', 'side');
    const merge = await contextFromGitRepo(dir);
    const parent = git(dir, 'rev-parse', 'HEAD~1').trim();
    expect(merge).toMatchObject({ ref: 'dev', refType: 'branch' });
    expect(merge.repo.changedFiles()).toEqual([]);
    expect(vars(merge)).toMatchObject({ CI_COMMIT_BEFORE_SHA: parent, CI_COMMIT_TITLE: "Merge branch 'side' into dev", CI_COMMIT_AUTHOR: 'A <a@example.com>' });

    git(dir, 'update-ref', 'refs/remotes/origin/trunk', rootSha);
    git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    git(dir, 'tag', 'v2');
    git(dir, 'checkout', '-q', '--detach', 'v2');
    const tagged = await contextFromGitRepo(dir);
    expect(tagged).toMatchObject({ ref: 'v2', refType: 'tag', defaultBranch: 'trunk' });
    expect(tagged.repo.changedFiles()).toBeUndefined();

    git(dir, 'checkout', '-q', '--detach', rootSha);
    const detached = await contextFromGitRepo(dir);
    expect(detached).toMatchObject({ ref: 'HEAD', sha: rootSha });
    expect(detached.warnings.join('\n')).toMatch(/detached/);
  });

  it('reads an unborn branch', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q', '-b', 'fresh');
    writeFileSync(path.join(dir, 'x'), 'x');
    const c = await contextFromGitRepo(dir);
    expect(c).toMatchObject({ ref: 'fresh', refType: 'branch', sha: '0'.repeat(40) });
    expect(c.repo.listFiles()).toEqual(['x']);
    expect(c.warnings.join('\n')).toMatch(/no commits yet/);
  });

  it('works outside a git repository and says so', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'a:\n  script: x\n');
    const c = await contextFromGitRepo(dir);
    expect(c).toMatchObject({ ref: 'main', refType: 'branch', sha: '0'.repeat(40) });
    expect(c.repo.listFiles()).toEqual(['.gitlab-ci.yml']);
    expect(c.warnings[0]).toMatch(/not a git repository/);
  });

  it('parses remote URLs', () => {
    expect(parseRemote('https://gitlab.example.com:8443/g/p.git')).toEqual({ host: 'gitlab.example.com', port: '8443', path: 'g/p' });
    expect(parseRemote('git@host:g/p.git')).toEqual({ host: 'host', path: 'g/p' });
    expect(parseRemote(undefined)).toBeUndefined();
  });
});
