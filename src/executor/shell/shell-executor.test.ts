import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutorError, type ExecutorJob } from '../executor.js';
import { fakeJob } from '../fake/fake-job.js';
import { generatePrepareScript } from '../script/generate-script.js';
import { ShellExecutor } from './shell-executor.js';
import { shellEnvironment } from './shell-env.js';

const root = mkdtempSync(join(tmpdir(), 'drydock-shell-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function job(extra: Parameters<typeof fakeJob>[0] = {}): ExecutorJob {
  const base = join(root, `b${counter++}`);
  return fakeJob({ hostProjectDir: join(base, 'group', 'project'), hostTmpDir: join(base, 'group', 'project.tmp'), ...extra });
}

function capture(): { write(c: string | Buffer): void; bytes(): Buffer; text(): string } {
  const chunks: Buffer[] = [];
  return {
    write: (c) => { chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)); },
    bytes: () => Buffer.concat(chunks),
    text: () => Buffer.concat(chunks).toString(),
  };
}

async function runScript(script: string, opts: { executor?: ShellExecutor; signal?: AbortSignal; j?: ExecutorJob } = {}) {
  const executor = opts.executor ?? new ShellExecutor();
  const j = opts.j ?? job();
  const sink = capture();
  await executor.prepare(j, { write: () => {} }, new AbortController().signal);
  const result = await executor.run(j, { stage: 'step_script', script }, sink, opts.signal ?? new AbortController().signal);
  return { result, sink, job: j };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
}

describe('ShellExecutor', () => {
  it('derives paths from the host checkout', () => {
    const e = new ShellExecutor();
    const j = fakeJob({ hostProjectDir: '/srv/builds/abc/0/group/project', hostTmpDir: '/srv/builds/abc/0/group/project.tmp' });
    expect(e.jobPaths(j)).toEqual({ buildsDir: '/srv/builds/abc/0', projectDir: '/srv/builds/abc/0/group/project', tmpDir: '/srv/builds/abc/0/group/project.tmp' });
    expect(new ShellExecutor({ buildsDir: '/srv/builds' }).jobPaths(j).buildsDir).toBe('/srv/builds');
    expect(e.jobPaths(fakeJob({ hostProjectDir: '/work/checkout', projectPath: 'g/p' })).buildsDir).toBe('/work');
  });

  it('returns the exit code and streams output', async () => {
    const { result, sink } = await runScript('echo hello; exit 3');
    expect(result).toEqual({ exitCode: 3 });
    expect(sink.text()).toBe('hello\n');
  });

  it('merges stdout and stderr in order', async () => {
    const { sink } = await runScript('echo 1; echo 2 >&2; echo 3; echo 4 >&2; printf 5');
    expect(sink.text()).toBe('1\n2\n3\n4\n5');
  });

  it('passes binary output through byte for byte', async () => {
    const data = randomBytes(1 << 20);
    const file = join(root, 'random.bin');
    writeFileSync(file, data);
    const { sink } = await runScript(`cat '${file}'`);
    expect(sink.bytes().equals(data)).toBe(true);
  });

  it('reports a signal death as 128+N', async () => {
    const { result } = await runScript('kill -9 $$');
    expect(result).toEqual({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('starts jobs with a clean environment', async () => {
    const executor = new ShellExecutor({ hostEnv: { PATH: process.env['PATH'], HOME: '/root', LC_ALL: 'C', CI_JOB_TOKEN: 'leak', NODE_OPTIONS: '--x', MY_EXTRA: 'y' }, passEnv: ['MY_EXTRA'] });
    const { sink } = await runScript('env | sort', { executor });
    const keys = sink.text().split('\n').map((l) => l.split('=')[0]);
    expect(keys).toContain('PATH');
    expect(keys).toContain('HOME');
    expect(keys).toContain('LC_ALL');
    expect(keys).toContain('MY_EXTRA');
    expect(keys).not.toContain('CI_JOB_TOKEN');
    expect(keys).not.toContain('NODE_OPTIONS');
    expect(shellEnvironment({})['PATH']).toContain('/usr/bin');
  });

  it('kills the whole process tree on abort, including TERM-ignoring children', async () => {
    const j = job();
    const pidFile = join(root, `pids${counter++}`);
    const script = [
      `sleep 1000 & echo $! >> '${pidFile}'`,
      `(trap '' TERM; sleep 1000 & echo $! >> '${pidFile}'; wait) & echo $! >> '${pidFile}'`,
      `sh -c 'sleep 1000' & echo $! >> '${pidFile}'`,
      // The subshell writes its child's pid asynchronously: wait for all four.
      `while [ "$(wc -l < '${pidFile}')" -lt 4 ]; do sleep 0.05; done`,
      'echo started',
      'sleep 1000',
    ].join('\n');
    const controller = new AbortController();
    const executor = new ShellExecutor({ killGraceMs: 300 });
    const sink = capture();
    await executor.prepare(j, { write: () => {} }, new AbortController().signal);
    const running = executor.run(j, { stage: 'step_script', script }, { write: (c) => { sink.write(c); if (sink.text().includes('started')) controller.abort(); } }, controller.signal);
    const result = await running;
    expect(result.exitCode).not.toBe(0);
    const pids = pidsIn(pidFile);
    expect(pids.length).toBe(4);
    await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('does not hang on background processes left by a finished script, and kills them', async () => {
    const pidFile = join(root, `bg${counter++}`);
    const { result } = await runScript(`sleep 1000 & echo $! > '${pidFile}'; echo done`);
    expect(result.exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(pidsIn(pidFile).filter(alive)).toEqual([]);
  });

  it('throws an ExecutorError from prepare when the shell is missing', async () => {
    const executor = new ShellExecutor({ hostEnv: { PATH: '/nonexistent' } });
    await expect(executor.prepare(job(), { write: () => {} }, new AbortController().signal)).rejects.toBeInstanceOf(ExecutorError);
  });

  it('cleanup removes scripts, file variables and $GITLAB_ENV, and is idempotent', async () => {
    const j = job({ resolved: [{ key: 'KUBECONFIG', value: 'x', masked: false, file: true, raw: false }] });
    const { job: ran } = await runScript(`printf x > '${j.hostTmpDir}/KUBECONFIG'; : > '${j.hostTmpDir}/gitlab_runner_env'; : > '${j.hostTmpDir}/keep.me'`, { j });
    expect(readdirSync(ran.hostTmpDir).sort()).toEqual(['KUBECONFIG', 'gitlab_runner_env', 'keep.me', 'script.step_script.sh']);
    const executor = new ShellExecutor();
    await executor.cleanup(ran, new AbortController().signal);
    await executor.cleanup(ran, new AbortController().signal);
    expect(readdirSync(ran.hostTmpDir)).toEqual(['keep.me']);
    expect(existsSync(ran.hostProjectDir)).toBe(true);
  });

  it('checks the shell once per executor, not once per job, and a cancelled job does not spoil the check', async () => {
    const calls = join(root, `calls${counter++}`);
    const bin = join(root, `bin${counter++}`);
    mkdirSync(bin);
    writeFileSync(join(bin, 'bash'), `#!/bin/sh\necho "$*" >> '${calls}'\nexec /bin/bash "$@"\n`);
    chmodSync(join(bin, 'bash'), 0o755);
    const executor = new ShellExecutor({ hostEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(executor.prepare(job(), { write: () => {} }, cancelled.signal)).rejects.toThrow();
    for (let i = 0; i < 3; i++) await runScript('echo hi', { executor });
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l === '-c exit 0')).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith('script.step_script.sh'))).toHaveLength(3);
  });

  it('does the standard prepare_script on the host, without a shell; any other one runs in the shell', async () => {
    const executor = new ShellExecutor({ hostEnv: { PATH: '/nonexistent' } });
    const j = job();
    mkdirSync(j.hostTmpDir, { recursive: true });
    writeFileSync(join(j.hostTmpDir, 'gitlab_runner_env'), 'STALE=1\n');
    const sink = capture();
    const script = generatePrepareScript({ shell: j.shell, paths: executor.jobPaths(j) });
    expect(await executor.run(j, { stage: 'prepare_script', script }, sink, new AbortController().signal)).toEqual({ exitCode: 0 });
    expect(sink.text()).toBe(`Running on ${hostname()}...\n`);
    expect(existsSync(join(j.hostTmpDir, 'gitlab_runner_env'))).toBe(false);
    expect(existsSync(join(j.hostTmpDir, 'script.prepare_script.sh'))).toBe(false);
    // With no shell on PATH, a custom prepare script can only fail to start.
    await expect(executor.run(j, { stage: 'prepare_script', script: 'echo custom' }, sink, new AbortController().signal)).rejects.toBeInstanceOf(ExecutorError);
    const custom = capture();
    expect(await new ShellExecutor().run(j, { stage: 'prepare_script', script: 'echo custom' }, custom, new AbortController().signal)).toEqual({ exitCode: 0 });
    expect(custom.text()).toBe('custom\n');
  });
});
