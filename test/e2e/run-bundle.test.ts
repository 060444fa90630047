// `drydock run` from its bundle (scripts/build-cli-bundle.mjs → dist/bundle/drydock-run.cjs, loaded
// by bin/load-bundle.js with a V8 code cache). Built in a copy of the package, so the shared dist/
// is never touched: the bundle is used when fresh and ignored once tsc has rebuilt dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerWorks } from './fixtures-docker/_support/docker-test-kit.js';
import { REPO_ROOT } from './helpers/run-cli.js';
import { ciRepoFactory } from './helpers/temp-repo.js';

const repo = ciRepoFactory();
let pkg = '';

function drydock(args: string[], cwd: string): { code: number; stdout: string } {
  try {
    const stdout = execFileSync(process.execPath, [path.join(pkg, 'bin', 'drydock.js'), ...args], {
      cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(pkg, '.cache') }, timeout: 120_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, stdout: e.stdout };
  }
}

/** What bin/load-bundle.js would load: 'bundle' or 'dist'. */
function loader(): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e',
    `const { loadRunBundle } = await import(${JSON.stringify(path.join(pkg, 'bin', 'load-bundle.js'))}); console.log(typeof loadRunBundle()?.main === 'function' ? 'bundle' : 'dist');`,
  ], { encoding: 'utf8' }).trim();
}

beforeAll(() => {
  pkg = mkdtempSync(path.join(os.tmpdir(), 'drydock-bundle-pkg-'));
  for (const dir of ['bin', 'scripts']) mkdirSync(path.join(pkg, dir));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true, filter: (src) => !src.includes(`${path.sep}bundle`) });
  for (const f of ['bin/drydock.js', 'bin/load-bundle.js', 'bin/package.json', 'scripts/build-cli-bundle.mjs']) cpSync(path.join(REPO_ROOT, f), path.join(pkg, f));
  for (const f of ['package.json', 'node_modules']) symlinkSync(path.join(REPO_ROOT, f), path.join(pkg, f));
  execFileSync(process.execPath, [path.join(pkg, 'scripts', 'build-cli-bundle.mjs')], { stdio: 'pipe', timeout: 120_000 });
}, 180_000);

afterAll(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

describe('drydock run from the bundle', () => {
  it('runs a pipeline with the shell executor', () => {
    expect(loader()).toBe('bundle');
    const r = repo(`
stages: [build, test]
variables: { GREETING: hello }
build: { stage: build, script: ['echo "$GREETING from $CI_JOB_NAME"'], artifacts: { paths: [out.txt] }, before_script: ['echo built > out.txt'] }
test: { stage: test, script: ['cat out.txt'] }
`);
    const res = drydock(['run'], r.dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[build\s*\] hello from build/);
    expect(res.stdout).toMatch(/\[test\s*\] built/);
    expect(res.stdout).toMatch(/Pipeline #1 passed/);
    expect(drydock(['run', '--help'], r.dir).stdout).toContain('--docker-image');
    // Bad input still ends as a clear message and exit code 2 from the bundle.
    expect(drydock(['run', 'nope'], r.dir).code).toBe(2);
  });

  it.skipIf(!dockerWorks())('runs a docker job (dockerode without its ssh and gRPC parts)', () => {
    const r = repo('job:\n  image: busybox:latest\n  script:\n    - echo "in $(cat /etc/hostname)"\n');
    const res = drydock(['run', '--executor', 'docker'], r.dir);
    expect(res.stdout).toMatch(/\[job\s*\] in runner-local-project-/);
    expect(res.code).toBe(0);
  });

  it('is ignored once dist/ is newer (tsc ran after the bundle was built)', () => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(pkg, 'dist', 'cli', 'main.js'), later, later);
    expect(loader()).toBe('dist');
    const r = repo('job:\n  script: [echo from-dist]\n');
    expect(drydock(['run'], r.dir).stdout).toMatch(/\[job\s*\] from-dist/);
  });
});
