// Support for the crash tests: the real `drydock server` as a child process that can be SIGKILLed
// and restarted on the same data dir and port, and a runner that speaks the v4 protocol exactly as
// gitlab-runner does and records every answer the server acknowledged (202 trace, 200 update).
// (Self-contained on purpose: it drives only the built CLI, never imports the server's source.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI } from './helpers/run-cli.js';
import { authedUrl, commitFiles, git, jobRequestBody } from './helpers/server-protocol.js';

export { authedUrl, git, jobRequestBody };

/** A fresh working copy on main; `commit` adds files and commits. */
export async function workingCopy(): Promise<{ dir: string; commit(files: Record<string, string>, message: string): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drydock-wc-'));
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  return { dir, commit: async (files, message) => { await commitFiles(dir, files, message); } };
}

/**
 * A free port below the kernel's ephemeral range: while the server is down, the runners' reconnects
 * use ephemeral source ports, and one of them could be the server's own port (a TCP self-connect
 * that then keeps the restarted server from binding it).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** `drydock server` in a child process; `kill()` is SIGKILL, `start()` again reuses data and port. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  stderr = '';

  constructor(readonly dataDir: string, readonly port: number, private readonly extraArgs: string[] = []) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'server', '--data', this.dataDir, '--port', String(this.port),
      '--log-level', 'warn', ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    this.child = child;
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { this.stderr += c; });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}\n${this.stderr}`)), 60_000);
      child.stdout?.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (/listening on http/.test(out)) { clearTimeout(timer); resolve(); }
      });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`server exited (${code ?? signal}):\n${out}\n${this.stderr}`)); });
    });
  }

  /** kill -9 and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async credentials(): Promise<{ admin_token: string; runner_registration_token: string }> {
    return JSON.parse(await readFile(path.join(this.dataDir, 'initial-credentials.json'), 'utf8'));
  }
}

export interface JobRecordOfRunner {
  id: number;
  token: string;
  /** The whole log this job writes. */
  log: Buffer;
  /** Bytes the server acknowledged with 202 (a prefix of `log`). */
  acked: number;
  /** The server answered 200 to the final state update. */
  finishAcked: boolean;
  /** The server answered 403: the job was dropped (e.g. by the stale-job sweep). */
  forbidden: boolean;
  /** The runner stopped working on it (simulates a runner that died with the server). */
  abandoned: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEADERS = { 'User-Agent': 'gitlab-runner 17.0.0 (17-0-stable; go1.22; linux/amd64)' };

/** One gitlab-runner worker: request → PATCH trace in chunks → PUT success; retries while the server is down. */
export class ProtocolRunner {
  readonly jobs = new Map<number, JobRecordOfRunner>();
  current: JobRecordOfRunner | undefined;
  stopped = false;
  /** Trace PATCHes answered 202. */
  acks = 0;
  private lastUpdate: string | undefined;
  private abandonCurrent = false;

  constructor(private readonly base: () => string, private readonly token: string, private readonly chunksPerJob: number) {}

  /** Forget the job in hand (or the next one): never report on it again. */
  abandon(): void {
    this.abandonCurrent = true;
  }

  async loop(): Promise<void> {
    while (!this.stopped) {
      const job = await this.request();
      if (!job) { await sleep(50); continue; }
      await this.run(job);
    }
  }

  private async send(method: string, route: string, body: string | Buffer, headers: Record<string, string>): Promise<Response | undefined> {
    try {
      return await fetch(`${this.base()}${route}`, { method, body, headers: { ...HEADERS, ...headers }, signal: AbortSignal.timeout(20_000) });
    } catch {
      return undefined; // server down (killed): the caller retries
    }
  }

  private async request(): Promise<JobRecordOfRunner | undefined> {
    const body = jobRequestBody(this.token, this.lastUpdate === undefined ? {} : { last_update: this.lastUpdate });
    const res = await this.send('POST', '/api/v4/jobs/request', JSON.stringify(body), { 'content-type': 'application/json' });
    if (!res) return undefined;
    this.lastUpdate = res.headers.get('x-gitlab-last-update') ?? this.lastUpdate;
    if (res.status !== 201) { await res.arrayBuffer(); return undefined; }
    const payload = (await res.json()) as { id: number; token: string };
    const lines = Array.from({ length: this.chunksPerJob * 40 }, (_, i) => `job ${payload.id} line ${i} ${'x'.repeat((payload.id * 7 + i) % 90)}\n`);
    const job: JobRecordOfRunner = { id: payload.id, token: payload.token, log: Buffer.from(lines.join('')), acked: 0, finishAcked: false, forbidden: false, abandoned: false };
    this.jobs.set(job.id, job);
    return job;
  }

  private async run(job: JobRecordOfRunner): Promise<void> {
    this.current = job;
    const chunk = Math.ceil(job.log.length / this.chunksPerJob);
    let sent = 0;
    const gone = () => {
      if (this.abandonCurrent) { job.abandoned = true; this.abandonCurrent = false; }
      return this.stopped || job.abandoned || job.forbidden;
    };
    while (sent < job.log.length && !gone()) {
      const end = Math.min(job.log.length, sent + chunk);
      const res = await this.send('PATCH', `/api/v4/jobs/${job.id}/trace`, job.log.subarray(sent, end),
        { 'JOB-TOKEN': job.token, 'Content-Range': `${sent}-${end - 1}`, 'content-type': 'text/plain' });
      if (!res) { await sleep(100); continue; }
      await res.arrayBuffer();
      const range = Number(/^0-(\d+)$/.exec(res.headers.get('range') ?? '')?.[1] ?? Number.NaN);
      if (res.status === 202) { sent = end; job.acked = Math.max(job.acked, end); this.acks++; }
      else if (res.status === 416 && Number.isFinite(range)) sent = range; // resume where the server is, as gitlab-runner does
      else if (res.status === 403) job.forbidden = true;
      else throw new Error(`PATCH trace of job ${job.id}: unexpected ${res.status}`);
      await sleep(15);
    }
    while (!gone()) {
      const res = await this.send('PUT', `/api/v4/jobs/${job.id}`, JSON.stringify({ token: job.token, state: 'success', exit_code: 0 }),
        { 'JOB-TOKEN': job.token, 'content-type': 'application/json' });
      if (!res) { await sleep(100); continue; }
      await res.arrayBuffer();
      if (res.status === 200) { job.finishAcked = true; break; }
      if (res.status === 403) { job.forbidden = true; break; }
      throw new Error(`PUT job ${job.id}: unexpected ${res.status}`);
    }
    this.current = undefined;
  }
}

const KILLS = 6;
const CI = `
stages: [build, test, deploy]
build-a: { stage: build, script: [a] }
build-b: { stage: build, script: [b] }
build-c: { stage: build, script: [c] }
unit: { stage: test, needs: [build-a], script: [u] }
lint: { stage: test, script: [l] }
deploy: { stage: deploy, script: [d] }
`;
const FINAL = ['success', 'failed', 'canceled', 'skipped'];
/**
 * The crash loop, for any store: push a pipeline, let two runners get into it, kill -9 the server,
 * restart it; KILLS times, one runner dying with the server once. Then check what was acknowledged.
 */
export async function crashLoop(srv: ServerProcess, cleanup: string[]): Promise<void> {
  await srv.start();
  const creds = await srv.credentials();
  const admin = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${srv.url}${route}`, {
      method, headers: { 'PRIVATE-TOKEN': creds.admin_token, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as any, text: '' };
  };
  const created = await admin('POST', '/api/v4/projects', { name: 'crash', namespace: 'team' });
  expect(created.status).toBe(201);
  const projectId = created.json.id as number;
  const remote = authedUrl(srv.url, 'dev', creds.admin_token, 'team/crash');
  const reg = await fetch(`${srv.url}/api/v4/runners`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: creds.runner_registration_token, run_untagged: true }),
  });
  const runnerToken = ((await reg.json()) as { token: string }).token;
  const runners = [new ProtocolRunner(() => srv.url, runnerToken, 8), new ProtocolRunner(() => srv.url, runnerToken, 5)];
  const loops = runners.map((r) => r.loop());
  const ackedPatches = () => runners.reduce((n, r) => n + r.acks, 0);

  const wc = await workingCopy();
  cleanup.push(wc.dir);
  await wc.commit({ '.gitlab-ci.yml': CI }, 'initial commit');
  let pushed = 0;
  try {
    for (let i = 0; i < KILLS; i++) {
      if (i > 0) await wc.commit({ 'n.txt': String(i) }, `change ${i}`);
      await git(wc.dir, ['push', '--quiet', remote, 'HEAD:main']); // acknowledged: the pipeline must exist from now on
      pushed++;
      // Let the runners get into the pipeline (~40 trace PATCHes in all), then kill the server mid-flight,
      // each time a little later: during the first stage, between stages, near the end.
      const target = ackedPatches() + 4 + i * 6;
      for (let waited = 0; ackedPatches() < target && waited < 30_000; waited += 20) await sleep(20);
      if (i === 1) {
        // One runner dies with the server: its job must be failed by the stale-job sweep, with a reason.
        for (let waited = 0; !runners[0]?.current && waited < 10_000; waited += 10) await sleep(10);
        runners[0]?.abandon();
      }
      await srv.kill();
      await sleep(100 + i * 80);
      await srv.start();
    }
    // Everything must reach a final status with the runners still serving.
    let pipelines: Array<{ id: number; status: string }> = [];
    for (let waited = 0; waited < 90_000; waited += 250) {
      pipelines = (await admin('GET', `/api/v4/projects/${projectId}/pipelines?per_page=100`)).json;
      if (pipelines.length === pushed && pipelines.every((p) => FINAL.includes(p.status))) break;
      await sleep(250);
    }
    expect(pipelines).toHaveLength(pushed);
    expect(pipelines.filter((p) => !FINAL.includes(p.status))).toEqual([]);
  } finally {
    for (const r of runners) r.stopped = true;
    await Promise.all(loops);
  }

  const jobs: Array<{ id: number; status: string; failure_reason?: string }> = [];
  for (let page = 1; ; page++) {
    const r = (await admin('GET', `/api/v4/projects/${projectId}/jobs?per_page=100&page=${page}`)).json as typeof jobs;
    jobs.push(...r);
    if (r.length < 100) break;
  }
  expect(jobs.filter((j) => !FINAL.includes(j.status) && j.status !== 'manual')).toEqual([]);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  let checkedBytes = 0;
  let resumed = 0;
  for (const r of runners) {
    for (const job of r.jobs.values()) {
      const stored = byId.get(job.id);
      expect(stored, `job ${job.id}`).toBeDefined();
      // An acknowledged final update is kept; a job the server dropped carries its reason.
      if (job.finishAcked) expect(stored?.status, `job ${job.id}`).toBe('success');
      if (stored?.status === 'failed') expect(stored.failure_reason, `job ${job.id}`).toMatch(/^(no_updates_running|runner_system_failure|unknown_failure)$/);
      const res = await fetch(`${srv.url}/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { headers: { 'PRIVATE-TOKEN': creds.admin_token } });
      const trace = Buffer.from(await res.arrayBuffer());
      // Every acknowledged byte is there, in order, and nothing but what the runner sent.
      expect(trace.subarray(0, job.acked).equals(job.log.subarray(0, job.acked)), `trace of job ${job.id}`).toBe(true);
      expect(job.log.subarray(0, trace.length).equals(trace), `trace of job ${job.id} has foreign bytes`).toBe(true);
      if (job.finishAcked) expect(trace.length).toBe(job.log.length);
      checkedBytes += job.acked;
      if (job.finishAcked) resumed++;
    }
  }
  const abandoned = runners.flatMap((r) => [...r.jobs.values()].filter((j) => j.abandoned));
  expect(abandoned).toHaveLength(1);
  for (const job of abandoned) expect(byId.get(job.id)).toMatchObject({ status: 'failed', failure_reason: 'no_updates_running' });
  expect(checkedBytes).toBeGreaterThan(0);
  expect(resumed).toBeGreaterThan(0);
  // The runners took every job that ran: none is lost between the queue and a runner.
  const ranByRunners = new Set(runners.flatMap((r) => [...r.jobs.keys()]));
  for (const j of jobs.filter((x) => x.status === 'success')) expect(ranByRunners.has(j.id), `job ${j.id}`).toBe(true);
}
