// GIT_CLONE_PATH in `drydock run`: the checkout, CI_PROJECT_DIR and the shell's working directory
// move to the given directory inside the builds dir, with the shell and the Docker executor; a
// path outside the builds dir fails the job naming the variable.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();

const CI = `
job:
  image: busybox:latest
  variables:
    GIT_CLONE_PATH: $CI_BUILDS_DIR/go/src/example.com/app
  script:
    - echo "in $(pwd) project $CI_PROJECT_DIR"
    - test -f .gitlab-ci.yml && echo checkout-is-here
`;

describe('drydock run with GIT_CLONE_PATH', () => {
  it('shell executor: checks out into the path and runs there', async () => {
    const r = repo(CI);
    const builds = path.join(path.dirname(r.dir), 'builds');
    const res = await runCli(['run', '--builds-dir', builds], { cwd: r.dir, timeoutMs: 60_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const dir = `${builds}/0/go/src/example.com/app`;
    expect(res.stdout).toContain(`in ${dir} project ${dir}\n`);
    expect(res.stdout).toContain('checkout-is-here');
  });

  it('a path outside the builds dir fails the job, naming the variable', async () => {
    const r = repo(CI.replace('$CI_BUILDS_DIR/go/src/example.com/app', '/tmp/elsewhere'));
    const res = await runCli(['run'], { cwd: r.dir, timeoutMs: 60_000 });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/the GIT_CLONE_PATH="\/tmp\/elsewhere" has to be within "[^"]+"/);
    expect(jobOf(readPipeline(r.dir), 'job').status).toBe('failed');
  });

  it.skipIf(skipWithoutDocker())('docker executor: the job container works in /builds/<path>', async () => {
    const r = repo(CI);
    const res = await runCli(['run', '--executor', 'docker'], { cwd: r.dir, timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('in /builds/go/src/example.com/app project /builds/go/src/example.com/app\n');
    expect(res.stdout).toContain('checkout-is-here');
    expect(leftovers()).toEqual([]);
  });
});
