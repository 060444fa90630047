// drydock run under bad input and rough jobs: timeouts, Ctrl-C, huge and binary output, jobs
// killed by a signal, broken configuration. Clear messages, nothing hangs, logs are kept.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, processesWith, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();

describe('drydock run: rough jobs', () => {
  it('fails a job that exceeds its timeout with job_execution_timeout', async () => {
    const r = repo(`
slow:
  timeout: 2s
  script: ['echo start', 'sleep 30', 'echo never']
`);
    const res = await runCli(['run'], { cwd: r.dir, timeoutMs: 30_000 });
    expect(res.code).toBe(1);
    const a = jobOf(readPipeline(r.dir), 'slow').attempts[0]!;
    expect(a.failureReason).toBe('job_execution_timeout');
    expect(res.stdout).toMatch(/timed out/);
  });

  it('stops cleanly on Ctrl-C: jobs canceled, after_script ran, no process left, exit 130', async () => {
    // A sleep with a unique duration, so its process can be found by command line.
    const marker = `1000.${process.pid}${Date.now() % 100000}`;
    const r = repo(`
stages: [one, two]
long:
  stage: one
  script: ['echo started', 'sleep ${marker}']
  after_script: ['echo "after: $CI_JOB_STATUS"']
next: { stage: two, script: ['echo next'] }
`);
    let sent = false;
    const res = await runCli(['run'], {
      cwd: r.dir,
      timeoutMs: 60_000,
      onStdout: (_chunk, child) => {
        if (!sent && /\] started$/m.test(_chunk)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    const p = readPipeline(r.dir);
    expect(jobOf(p, 'long').status).toBe('canceled');
    expect(jobOf(p, 'next').status).toBe('canceled');
    expect(readFileSync(jobOf(p, 'long').attempts[0]!.logFile, 'utf8')).toContain('after: canceled');
    expect(processesWith(marker)).toEqual([]);
  });

  it('stops at once on a second Ctrl-C, even in a hanging after_script, leaving no process', async () => {
    const marker = `1001.${process.pid}${Date.now() % 100000}`;
    const r = repo(`
stuck:
  script: ['echo started', 'sleep ${marker}']
  after_script: ['echo cleaning', 'sleep ${marker}']
`);
    let stage = 0;
    const res = await runCli(['run'], {
      cwd: r.dir,
      timeoutMs: 60_000,
      onStdout: (chunk, child) => {
        if (stage === 0 && /\] started$/m.test(chunk)) {
          stage = 1;
          setTimeout(() => child.kill('SIGINT'), 200);
        } else if (stage === 1 && /\] cleaning$/m.test(chunk)) {
          stage = 2;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    });
    expect(stage).toBe(2);
    expect(res.code).toBe(130);
    expect(res.stderr).toContain('stopped at once');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesWith(marker)).toEqual([]);
  });

  it('survives a script that prints 100 MB: console output capped, the full log kept', async () => {
    const r = repo(`
loud:
  script: ['head -c 100000000 /dev/zero | tr "\\\\0" "x" | fold -w 1000', 'echo done-loud']
`);
    const res = await runCli(['run'], { cwd: r.dir, timeoutMs: 120_000 });
    expect(res.code).toBe(0);
    expect(res.stdout.length).toBeLessThan(8 * 1024 * 1024);
    expect(res.stdout).toContain('the rest is only in the job\'s log file');
    const log = jobOf(readPipeline(r.dir), 'loud').attempts[0]!.logFile;
    expect(statSync(log).size).toBeGreaterThan(100_000_000);
  });

  it('shows binary output safely and keeps the raw bytes in the log', async () => {
    const r = repo(`
binary:
  script: ['printf "a\\\\000b\\\\033c\\\\377\\\\n"', 'head -c 2000 /dev/urandom', 'echo; echo done-binary']
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[binary\s*\] done-binary/);
    expect(res.stdout).not.toContain('\u0000');
    expect(res.stdout).not.toMatch(/\x1bc/);
  });

  it('reports a job killed by a signal as a failure with its exit code', async () => {
    const r = repo(`
killed:
  script: ['echo going', 'kill -9 $$']
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(1);
    const a = jobOf(readPipeline(r.dir), 'killed').attempts[0]!;
    expect(a.status).toBe('failed');
    expect(a.exitCode).toBe(137);
  });
});

describe('drydock run: bad input', () => {
  it('prints configuration errors as file:line:col and exits 2', async () => {
    const r = repo(`
build:
  scirpt: ['echo typo']
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/\.gitlab-ci\.yml:\d+:\d+: /);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains a missing configuration file and a directory that is not a repository', async () => {
    const r = repo('a: { script: [true] }\n');
    const missing = await runCli(['run', '-f', 'nope.yml'], { cwd: r.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yml');
    const notRepo = await runCli(['run', '-C', '/'], { cwd: r.dir });
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/not inside a git repository/);
  });
});
