// drydock run: artifacts (paths, exclude, untracked, when, dotenv reports) passed to later jobs,
// and caches (key, key:files, policy, fallback_keys) kept between runs under .drydock/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();
const logOf = (dir: string, job: string): string => readFileSync(jobOf(readPipeline(dir), job).attempts.at(-1)!.logFile, 'utf8');

describe('drydock run: artifacts', () => {
  it('passes artifacts and dotenv variables to later jobs, honouring exclude and needs:artifacts', async () => {
    const r = repo(`
stages: [build, test]
build:
  stage: build
  script:
    - mkdir -p dist && echo app > dist/app.js && echo map > dist/app.js.map
    - echo "VERSION=1.2.3" > build.env
  artifacts:
    paths: [dist/]
    exclude: ['dist/*.map']
    expire_in: 1 week
    reports: { dotenv: build.env }
test:
  stage: test
  script:
    - cat dist/app.js
    - test ! -e dist/app.js.map
    - echo "version is $VERSION"
no-artifacts:
  stage: test
  needs: [{ job: build, artifacts: false }]
  script: ['test ! -e dist/app.js', 'echo "still gets $VERSION"']
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[test\s*\] app/);
    expect(res.stdout).toMatch(/\[test\s*\] version is 1\.2\.3/);
    const meta = JSON.parse(readFileSync(path.join(r.dir, '.drydock/pipelines/1/artifacts/build/meta.json'), 'utf8')) as { expiresAt?: string; fileCount: number };
    expect(meta.fileCount).toBe(1);
    expect(meta.expiresAt).toBeDefined();
  });

  it('uploads on_failure artifacts only for a failed job, and untracked files', async () => {
    const r = repo(`
broken:
  script: ['echo report > report.txt', 'exit 1']
  artifacts: { when: on_failure, untracked: true }
`, { '.gitignore': 'report.txt\n' });
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(1);
    expect(readFileSync(path.join(r.dir, '.drydock/pipelines/1/artifacts/broken/files/report.txt'), 'utf8')).toBe('report\n');
  });

  it('reuses a dependency\'s artifacts from an earlier pipeline when only the later job runs', async () => {
    const r = repo(`
stages: [build, test]
build: { stage: build, script: ['echo v1 > out.txt'], artifacts: { paths: [out.txt] } }
test: { stage: test, needs: [build], script: ['cat out.txt'] }
`);
    expect((await runCli(['run'], { cwd: r.dir })).code).toBe(0);
    const res = await runCli(['run', 'test', '--no-needs'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[test\s*\] v1/);
    expect(logOf(r.dir, 'test')).toContain('from pipeline #1');
  });
});

describe('drydock run: cache', () => {
  it('keeps a cache between runs (pull-push), restores it by key, and pull-only never writes', async () => {
    const r = repo(`
job:
  cache: { key: deps-$CI_COMMIT_REF_SLUG, paths: [vendor/] }
  script:
    - 'if [ -f vendor/lib.txt ]; then echo "cache hit: $(cat vendor/lib.txt)"; else echo "cache miss"; mkdir -p vendor; echo fetched > vendor/lib.txt; fi'
reader:
  cache: { key: other, paths: [x/], policy: pull }
  script: ['mkdir -p x && echo nope > x/y']
`);
    const first = await runCli(['run'], { cwd: r.dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\[job\s*\] cache miss/);
    expect(existsSync(path.join(r.dir, '.drydock/cache/deps-main-protected/files/vendor/lib.txt'))).toBe(true);
    expect(existsSync(path.join(r.dir, '.drydock/cache/other-protected'))).toBe(false);
    const second = await runCli(['run'], { cwd: r.dir });
    expect(second.stdout).toMatch(/\[job\s*\] cache hit: fetched/);
  });

  it('derives key:files from the files\' last commit and falls back to fallback_keys', async () => {
    const r = repo(`
seed:
  stage: build
  cache: { key: seed-cache, paths: [c/] }
  script: ['mkdir -p c && echo seeded > c/v']
use:
  stage: test
  cache:
    key: { files: [lock.txt], prefix: deps }
    paths: [c/]
    fallback_keys: [seed-cache]
  script: ['cat c/v']
`, { 'lock.txt': 'v1\n' });
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[use\s*\] seeded/);
    expect(logOf(r.dir, 'use')).toMatch(/Checking cache for deps-[0-9a-f]{40}-protected\.\.\./);
    expect(logOf(r.dir, 'use')).toContain('Using fallback cache key seed-cache-protected');
  });

  it('keeps protected and unprotected refs\' caches apart (GitLab 16+ suffixes), except cache:unprotect', async () => {
    const r = repo(`
job:
  cache:
    - { key: plain, paths: [p/] }
    - { key: shared, paths: [s/], unprotect: true }
  script: ['echo "$(ls p s 2>/dev/null | tr "\\n" " ")"', 'mkdir -p p s && echo x > p/f && echo y > s/f']
`);
    // main is the default branch: protected, as GitLab protects it by default.
    expect((await runCli(['run'], { cwd: r.dir })).code).toBe(0);
    const cache = (k: string): boolean => existsSync(path.join(r.dir, '.drydock/cache', k, 'files'));
    expect([cache('plain-protected'), cache('shared-non_protected'), cache('plain-non_protected')]).toEqual([true, true, false]);
    // The same branch run as unprotected sees only the unprotect cache.
    const unprotected = await runCli(['run', '--no-protected'], { cwd: r.dir });
    expect(unprotected.code).toBe(0);
    expect(logOf(r.dir, 'job')).toContain('Checking cache for plain-non_protected...');
    expect(logOf(r.dir, 'job')).toContain('Checking cache for shared-non_protected...');
    expect(unprotected.stdout).not.toMatch(/\] p:/);
    expect(unprotected.stdout).toMatch(/\] s: f/);
    expect(cache('plain-non_protected')).toBe(true);
    // A feature branch is unprotected unless --protected says otherwise.
    r.git('checkout', '-q', '-b', 'feature');
    expect((await runCli(['run', '--protected'], { cwd: r.dir })).code).toBe(0);
    expect(logOf(r.dir, 'job')).toContain('Checking cache for plain-protected...');
  });
});
