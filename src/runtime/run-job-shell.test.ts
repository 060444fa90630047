// runJob with the real ShellExecutor: generated scripts run by bash and busybox sh.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedVariable } from '../executor/executor.js';
import { fakeJob, type FakeJobOptions } from '../executor/fake/fake-job.js';
import { ShellExecutor } from '../executor/shell/shell-executor.js';
import { runJob } from './run-job.js';
import type { JobWorkspace, RunJobOptions } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'drydock-runjob-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const noWorkspace: JobWorkspace = {
  getSources: async () => {}, restoreCache: async () => {}, downloadArtifacts: async () => {},
  archiveCache: async () => {}, uploadArtifacts: async () => {},
};

let counter = 0;
async function run(opts: FakeJobOptions & { shell?: 'bash' | 'sh'; signal?: AbortSignal; sink?: RunJobOptions['sink'] } = {}) {
  const base = join(root, `j${counter++}`);
  const job = fakeJob({ hostProjectDir: join(base, 'group', 'project'), hostTmpDir: join(base, 'group', 'project.tmp'), ...opts });
  const chunks: Buffer[] = [];
  const result = await runJob(job, new ShellExecutor({ killGraceMs: 2000 }), noWorkspace, {
    signal: opts.signal ?? new AbortController().signal,
    sink: opts.sink ?? { write: (c) => { chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)); } },
  });
  return { result, log: Buffer.concat(chunks).toString(), bytes: Buffer.concat(chunks), job };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

const secretVar = (key: string, value: string): ResolvedVariable => ({ key, value, masked: true, file: false, raw: false });

describe.each(['bash', 'sh'] as const)('runJob + ShellExecutor (%s)', (shell) => {
  it('runs before_script, script and after_script with CI_JOB_STATUS', async () => {
    const { result, log } = await run({
      shell,
      spec: { beforeScript: ['echo "before in $PWD"'], script: ['echo "status=$CI_JOB_STATUS"', 'echo "dir=$CI_PROJECT_DIR"'], afterScript: ['echo "after status=$CI_JOB_STATUS"'] },
    });
    expect(result.status).toBe('success');
    expect(log).toMatch(/Running on .+\.\.\.\n/);
    expect(log).toMatch(/before in \/.*\/group\/project\n/);
    expect(log).toContain('status=running\n');
    expect(log).toContain('after status=success\n');
    expect(log).toContain('\x1b[32;1mRunning after script...\x1b[0;m\n');
  });

  it('fails with the exit code, and after_script sees "failed"', async () => {
    const { result, log } = await run({ shell, spec: { script: ['echo one', 'exit 5', 'echo never'], afterScript: ['echo "after: $CI_JOB_STATUS"'] } });
    expect(result).toMatchObject({ status: 'failed', failureReason: 'script_failure', exitCode: 5 });
    expect(log).not.toContain('never');
    expect(log).toContain('after: failed\n');
    expect(log).toContain('ERROR: Job failed: exit code 5');
  });

  it('writes file variables and masks masked values', async () => {
    const { result, log } = await run({
      shell,
      resolved: [secretVar('API_TOKEN', 'tok-9f8e7d6c5b'), { key: 'CONFIG', value: 'key: value\n', masked: false, file: true, raw: false }],
      spec: { script: ['echo "token is $API_TOKEN"', 'cat "$CONFIG"', 'echo "$API_TOKEN" | sed "s/./& /g"'] },
    });
    expect(result.status).toBe('success');
    expect(log).toContain('token is [MASKED]\n');
    expect(log).toContain('key: value\n');
    expect(log).not.toContain('tok-9f8e7d6c5b');
  });

  it('cancel kills the script, runs after_script with "canceled", leaves nothing running', async () => {
    const controller = new AbortController();
    const base = join(root, `cancel${counter++}`);
    const pidFile = join(base, 'pid');
    let seen = '';
    const { result } = await run({
      shell, signal: controller.signal,
      hostProjectDir: join(base, 'p'), hostTmpDir: join(base, 'p.tmp'),
      spec: { script: [`sleep 1000 & echo $! > '${pidFile}'`, 'echo started', 'sleep 1000'], afterScript: ['echo "after: $CI_JOB_STATUS"'] },
      sink: { write: (c) => { seen += c.toString(); if (seen.includes('started\n')) controller.abort(); } },
    });
    expect(result.status).toBe('canceled');
    expect(seen).toContain('after: canceled\n');
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('times out the job without running after_script', async () => {
    const { result, log } = await run({ shell, spec: { timeoutSeconds: 1, script: ['echo started', 'sleep 1000'], afterScript: ['echo after-ran'] } });
    expect(result).toMatchObject({ status: 'failed', failureReason: 'job_execution_timeout' });
    expect(log).toContain('ERROR: Job failed: execution took longer than 1s seconds');
    expect(log).not.toContain('after-ran');
  });

  it('stops a slow after_script at RUNNER_AFTER_SCRIPT_TIMEOUT without failing the job', async () => {
    const { result, log } = await run({ shell, variables: { RUNNER_AFTER_SCRIPT_TIMEOUT: '500ms' }, spec: { script: ['true'], afterScript: ['sleep 1000'] } });
    expect(result.status).toBe('success');
    expect(log).toContain('WARNING: after_script could not run to completion because the timeout was exceeded');
  });
});

describe('runJob + ShellExecutor output volume', () => {
  it('streams 100 MiB of output with masking on, without hanging', async () => {
    let bytes = 0;
    let tail = '';
    const started = performance.now();
    const { result } = await run({
      resolved: [secretVar('SECRET', 'hunter2-hunter2')],
      // 1.7M lines of ~64 bytes; `seq | sed` ends cleanly (`yes | head` dies of SIGPIPE under pipefail).
      spec: { script: ["seq 1 1700000 | sed 's/$/ a line of build output that goes on for a while 0123456789/'", 'echo "$SECRET"'] },
      sink: { write: (c) => { bytes += c.length; tail = (tail + c.toString()).slice(-200); } },
    });
    const ms = performance.now() - started;
    console.log(`runJob+shell: ${Math.round(bytes / 1048576)} MiB of job log in ${Math.round(ms)} ms (${Math.round(bytes / 1048576 / (ms / 1000))} MiB/s)`);
    expect(result.status).toBe('success');
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(tail).toContain('[MASKED]\n');
  }, 120_000);

  it('passes binary output through the runtime unchanged', async () => {
    const binFile = join(root, 'bin.dat');
    const data = Buffer.from(Array.from({ length: 256 * 64 }, (_, i) => i % 256));
    (await import('node:fs')).writeFileSync(binFile, data);
    const { bytes } = await run({ resolved: [secretVar('S', 'not-in-the-output')], spec: { script: [`cat '${binFile}'`] } });
    expect(bytes.indexOf(data)).toBeGreaterThan(0);
  });
});
