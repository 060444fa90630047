// drydock run: stage order, needs parallelism, failures, allow_failure, after_script, retry,
// manual jobs and job selection, driven through the real CLI with real bash and git.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();

const ms = (iso: string): number => new Date(iso).getTime();

describe('drydock run: ordering', () => {
  it('runs stages in order and exits 0 when the pipeline passes', async () => {
    const r = repo(`
stages: [build, test, deploy]
build: { stage: build, script: ['echo built'] }
test: { stage: test, script: ['echo tested'] }
deploy: { stage: deploy, script: ['echo deployed'] }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const p = readPipeline(r.dir);
    expect(p.status).toBe('success');
    const [b, t, d] = ['build', 'test', 'deploy'].map((n) => jobOf(p, n).attempts[0]!);
    expect(ms(b!.finishedAt)).toBeLessThanOrEqual(ms(t!.startedAt));
    expect(ms(t!.finishedAt)).toBeLessThanOrEqual(ms(d!.startedAt));
    expect(res.stdout).toMatch(/\[build\s*\] built/);
    expect(res.stdout).toMatch(/Pipeline #1 passed/);
  });

  it('starts jobs with needs: [] together: their run times overlap', async () => {
    const r = repo(`
stages: [a, b]
one: { stage: b, needs: [], script: ['sleep 1'] }
two: { stage: b, needs: [], script: ['sleep 1'] }
`);
    const res = await runCli(['run', '--concurrency', '2'], { cwd: r.dir });
    expect(res.code).toBe(0);
    const p = readPipeline(r.dir);
    const one = jobOf(p, 'one').attempts[0]!;
    const two = jobOf(p, 'two').attempts[0]!;
    expect(ms(one.startedAt)).toBeLessThan(ms(two.finishedAt));
    expect(ms(two.startedAt)).toBeLessThan(ms(one.finishedAt));
    // With one slot the same jobs run one after the other.
    expect((await runCli(['run', '--concurrency', '1'], { cwd: r.dir })).code).toBe(0);
    const serial = readPipeline(r.dir);
    const [first, second] = ['one', 'two'].map((n) => jobOf(serial, n).attempts[0]!).sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
    expect(ms(first!.finishedAt)).toBeLessThanOrEqual(ms(second!.startedAt));
  });

  it('starts a needs job before the rest of the earlier stage has finished', async () => {
    const r = repo(`
stages: [build, test]
slow: { stage: build, script: ['sleep 2'] }
fast: { stage: build, script: ['true'] }
after-fast: { stage: test, needs: [fast], script: ['true'] }
`);
    const res = await runCli(['run', '-j', '3'], { cwd: r.dir });
    expect(res.code).toBe(0);
    const p = readPipeline(r.dir);
    expect(ms(jobOf(p, 'after-fast').attempts[0]!.finishedAt)).toBeLessThan(ms(jobOf(p, 'slow').attempts[0]!.finishedAt));
  });
});

describe('drydock run: failures', () => {
  it('fails the pipeline, skips later stages, runs after_script and on_failure jobs, exit code 1', async () => {
    const r = repo(`
stages: [build, test, cleanup]
build:
  stage: build
  script: ['echo before-fail', 'exit 7', 'echo never']
  after_script: ['echo "after_script sees $CI_JOB_STATUS"']
test: { stage: test, script: ['echo should-not-run'] }
cleanup: { stage: cleanup, when: on_failure, script: ['echo cleaning'] }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(1);
    const p = readPipeline(r.dir);
    expect(p.status).toBe('failed');
    expect(jobOf(p, 'build').attempts[0]).toMatchObject({ status: 'failed', failureReason: 'script_failure', exitCode: 7 });
    expect(jobOf(p, 'test').status).toBe('skipped');
    expect(jobOf(p, 'cleanup').status).toBe('success');
    expect(res.stdout).not.toContain('should-not-run');
    expect(res.stdout).not.toMatch(/\] never$/m);
    const log = readFileSync(jobOf(p, 'build').attempts[0]!.logFile, 'utf8');
    expect(log).toContain('after_script sees failed');
    expect(log).toContain('ERROR: Job failed: exit code 7');
    expect(res.stdout).toMatch(/failed: exit code 7/);
  });

  it('passes with an allowed failure (exit_codes) and still fails on other codes', async () => {
    const r = repo(`
lint: { script: ['exit 3'], allow_failure: { exit_codes: [3] } }
unit: { script: ['true'] }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(jobOf(readPipeline(r.dir), 'lint').attempts[0]).toMatchObject({ status: 'failed', allowedToFail: true });
    expect(res.stdout).toMatch(/allowed to fail/);
  });

  it('retries a failing job per retry: and keeps each attempt\'s log', async () => {
    const r = repo(`
flaky:
  retry: 2
  script:
    - n=$(cat "$COUNT_FILE" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNT_FILE"
    - echo "attempt $n"
    - test $n -ge 3
`);
    const res = await runCli(['run', '--var', `COUNT_FILE=${r.dir}/../count`], { cwd: r.dir });
    expect(res.code).toBe(0);
    const job = jobOf(readPipeline(r.dir), 'flaky');
    expect(job.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'success']);
    expect(readFileSync(job.attempts[0]!.logFile, 'utf8')).toContain('attempt 1');
    expect(readFileSync(job.attempts[2]!.logFile, 'utf8')).toContain('attempt 3');
  });
});

describe('drydock run: manual jobs and selection', () => {
  const ci = `
stages: [build, test, deploy]
build: { stage: build, script: ['echo build > built.txt'], artifacts: { paths: [built.txt] } }
test: { stage: test, script: ['cat built.txt'] }
other: { stage: test, script: ['echo other'] }
deploy: { stage: deploy, when: manual, script: ['echo deploying'] }
`;

  it('leaves a manual job waiting and plays it with --manual', async () => {
    const r = repo(ci);
    const first = await runCli(['run'], { cwd: r.dir });
    expect(first.code).toBe(0);
    expect(jobOf(readPipeline(r.dir), 'deploy').status).toBe('manual');
    expect(first.stdout).toContain('--manual deploy');
    const second = await runCli(['run', '--manual', 'deploy'], { cwd: r.dir });
    expect(second.code).toBe(0);
    expect(jobOf(readPipeline(r.dir), 'deploy').status).toBe('success');
    expect(second.stdout).toMatch(/\[deploy\s*\] deploying/);
  });

  it('runs the named jobs and what they need', async () => {
    const r = repo(ci.replace("test: { stage: test, script: ['cat built.txt'] }", "test: { stage: test, needs: [build], script: ['cat built.txt'] }"));
    const res = await runCli(['run', 'test'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(readPipeline(r.dir).jobs.map((j) => j.name)).toEqual(['build', 'test']);
    expect(res.stdout).toMatch(/\[test\s*\] build/);
  });

  it('rejects an unknown job name with exit code 2 and suggests close names', async () => {
    const r = repo(ci);
    const res = await runCli(['run', 'tset'], { cwd: r.dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no job named "tset"');
    expect(res.stderr).toContain('"test"');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
