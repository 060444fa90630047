// Coordinator benchmark (issue 5): 500 runners long-poll POST /api/v4/jobs/request while pipelines
// totalling 1,000 jobs are created through the API; p50/p99 of job pickup latency (job queued →
// runner holds the 201). Then trace PATCH throughput with 64 KiB chunks (MiB/s, p50/p99 per PATCH).
// Floors measured in the same run, each in its own process like our server (floor-server.mjs):
// a plain node:http long-poll queue without a database, and a bare fastify handler doing the same
// SQLite write as a trace PATCH.
// Run: npx tsc -p tsconfig.json && npx tsx bench/server/run.ts
// env: BENCH_RUNNERS=500 BENCH_PIPELINES=10 BENCH_JOBS=100 BENCH_TRACE_JOBS=8 BENCH_TRACE_CHUNKS=128
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RUNNERS = Number(process.env.BENCH_RUNNERS ?? 500);
const PIPELINES = Number(process.env.BENCH_PIPELINES ?? 10);
const JOBS = Number(process.env.BENCH_JOBS ?? 100);
const TRACE_JOBS = Number(process.env.BENCH_TRACE_JOBS ?? 8);
const TRACE_CHUNKS = Number(process.env.BENCH_TRACE_CHUNKS ?? 128);
const CHUNK = 64 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Node's fetch opens as many connections per origin as there are requests in flight: one per
// runner, as 500 separate gitlab-runner processes would have.

interface Proc { proc: ChildProcess; url: string; dir: string }

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function spawnReady(args: string[], ready: RegExp, dir: string, port: number): Promise<Proc> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; if (ready.test(out)) resolve(); });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, dir };
}

async function stop(p: Proc): Promise<void> {
  const gone = new Promise((r) => p.proc.once('exit', r));
  p.proc.kill('SIGTERM');
  await Promise.race([gone, sleep(process.env.BENCH_PROFILE ? 30_000 : 5000)]);
  p.proc.kill('SIGKILL');
  rmSync(p.dir, { recursive: true, force: true });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

const requestBody = (token: string, lastUpdate?: string) => JSON.stringify({
  token, system_id: 's_0123456789ab', ...(lastUpdate !== undefined && { last_update: lastUpdate }),
  info: { name: 'gitlab-runner', version: '17.0.0', platform: 'linux', architecture: 'amd64', executor: 'docker', features: { trace_checksum: true } },
});

interface Pickup { id: number; token: string; at: number; queuedAt?: number }

/** `count` runners long-polling `url` until `done()`; every 201 is recorded and (ours) finished with PUT success. */
function pollers(url: string, tokens: string[], finish: boolean, pickups: Pickup[], signal: AbortSignal): Promise<void[]> {
  return Promise.all(tokens.map(async (token) => {
    let lastUpdate: string | undefined;
    while (!signal.aborted) {
      let res: Response;
      try {
        res = await fetch(`${url}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: requestBody(token, lastUpdate), signal });
      } catch {
        if (!signal.aborted) await sleep(100);
        continue;
      }
      lastUpdate = res.headers.get('x-gitlab-last-update') ?? lastUpdate;
      if (res.status !== 201) { await res.arrayBuffer(); continue; }
      const at = Date.now();
      const job = (await res.json()) as { id: number; token: string; queued_at?: number };
      pickups.push({ id: job.id, token: job.token, at, ...(job.queued_at !== undefined && { queuedAt: job.queued_at }) });
      if (finish) {
        await fetch(`${url}/api/v4/jobs/${job.id}`, { method: 'PUT', headers: { 'content-type': 'application/json', 'JOB-TOKEN': job.token }, body: JSON.stringify({ token: job.token, state: 'success', exit_code: 0 }) })
          .then((r) => r.arrayBuffer()).catch(() => undefined);
      }
    }
  }));
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 300_000): Promise<void> {
  for (const t0 = Date.now(); !(await cond());) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** PATCHes TRACE_CHUNKS × 64 KiB to each job concurrently; per-PATCH latencies (ms) and MiB/s. */
async function traceLoad(url: string, jobs: Array<{ id: number; token: string }>): Promise<{ lat: number[]; mibs: number }> {
  const lat: number[] = [];
  const data = Buffer.alloc(CHUNK, 'log line with some text in it\n');
  const t0 = performance.now();
  await Promise.all(jobs.map(async (job) => {
    for (let i = 0; i < TRACE_CHUNKS; i++) {
      const start = i * CHUNK;
      const s = performance.now();
      const res = await fetch(`${url}/api/v4/jobs/${job.id}/trace`, {
        method: 'PATCH', body: data, headers: { 'JOB-TOKEN': job.token, 'Content-Range': `${start}-${start + CHUNK - 1}`, 'content-type': 'text/plain' },
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`PATCH trace ${job.id}: ${res.status}`);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return { lat, mibs: (jobs.length * TRACE_CHUNKS * CHUNK) / (1024 * 1024) / secs };
}

async function benchOurs(): Promise<{ pickup: number[]; trace: { lat: number[]; mibs: number }; createMs: number[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-server-'));
  const port = await freePort();
  const srv = await spawnReady([...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), path.join(ROOT, 'bin/drydock.js'), 'server', '--data', dir, '--port', String(port), '--log-level', 'warn', '--long-poll', '50'],
    /listening on/, dir, port);
  try {
    const creds = JSON.parse(readFileSync(path.join(dir, 'initial-credentials.json'), 'utf8')) as { admin_token: string; runner_registration_token: string };
    const admin = async (method: string, route: string, body?: unknown) => {
      const r = await fetch(`${srv.url}${route}`, { method, headers: { 'PRIVATE-TOKEN': creds.admin_token, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      return (await r.json()) as any;
    };
    // Push creates no pipeline (workflow rule): pipelines come from the API while runners wait.
    const jobs = Array.from({ length: JOBS }, (_, i) => `job-${i}: { script: [echo ${i}] }`).join('\n');
    const trace = Array.from({ length: TRACE_JOBS }, (_, i) => `trace-${i}: { tags: [trace], script: [echo ${i}] }`).join('\n');
    const project = await admin('POST', '/api/v4/projects', { name: 'load', namespace: 'bench' });
    const traceProject = await admin('POST', '/api/v4/projects', { name: 'trace', namespace: 'bench' });
    const noPush = `workflow:\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == "push"'\n      when: never\n    - when: always\n`;
    for (const [name, content] of [['load', `${noPush}${jobs}\n`], ['trace', `${noPush}${trace}\n`]] as const) {
      const wc = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-wc-'));
      const git = (...args: string[]) => execFileSync('git', args, { cwd: wc, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
      git('init', '-q', '-b', 'main');
      writeFileSync(path.join(wc, '.gitlab-ci.yml'), content);
      git('add', '-A');
      git('commit', '-q', '-m', 'bench');
      git('push', '-q', `http://root:${creds.admin_token}@127.0.0.1:${port}/bench/${name}.git`, 'main');
      rmSync(wc, { recursive: true, force: true });
    }
    const register = async (tags?: string[]) => ((await (await fetch(`${srv.url}/api/v4/runners`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: creds.runner_registration_token, run_untagged: !tags, ...(tags && { tag_list: tags }) }),
    })).json()) as { token: string }).token;
    const tokens: string[] = [];
    for (let i = 0; i < RUNNERS; i += 25) tokens.push(...(await Promise.all(Array.from({ length: Math.min(25, RUNNERS - i) }, () => register()))));

    const pickups: Pickup[] = [];
    const stopPolling = new AbortController();
    setMaxListeners(0, stopPolling.signal); // one listener per runner's fetch
    const polling = pollers(srv.url, tokens, true, pickups, stopPolling.signal);
    await waitFor('all runners long-polling', async () => ((await (await fetch(`${srv.url}/-/health`)).json()) as { waiting_job_requests: number }).waiting_job_requests >= RUNNERS);
    const createMs: number[] = [];
    for (let p = 0; p < PIPELINES; p++) {
      const t0 = performance.now();
      const created = await admin('POST', `/api/v4/projects/${project.id}/pipeline`, { ref: 'main' });
      if (!created.id) throw new Error(`pipeline not created: ${JSON.stringify(created)}`);
      createMs.push(performance.now() - t0);
      await sleep(100);
    }
    await waitFor(`${PIPELINES * JOBS} pickups`, () => pickups.length >= PIPELINES * JOBS);
    stopPolling.abort();
    await polling.catch(() => undefined);
    // queued_at is the server's own clock, the same as ours: same machine.
    const db = new BetterSqlite3(path.join(dir, 'drydock.db'), { readonly: true });
    const queued = new Map((db.prepare('SELECT id, queued_at FROM jobs').all() as Array<{ id: number; queued_at: string }>).map((r) => [r.id, Date.parse(r.queued_at)]));
    db.close();
    const pickup = pickups.map((p) => p.at - (queued.get(p.id) ?? Number.NaN));

    // Trace: TRACE_JOBS runners each hold one running job and stream 64 KiB chunks.
    await admin('POST', `/api/v4/projects/${traceProject.id}/pipeline`, { ref: 'main' });
    const traceRunner = await register(['trace']);
    const held: Array<{ id: number; token: string }> = [];
    while (held.length < TRACE_JOBS) {
      const r = await fetch(`${srv.url}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: requestBody(traceRunner) });
      if (r.status === 201) held.push((await r.json()) as { id: number; token: string }); else { await r.arrayBuffer(); await sleep(50); }
    }
    return { pickup, trace: await traceLoad(srv.url, held), createMs };
  } finally {
    await stop(srv);
  }
}

async function benchFloor(): Promise<{ pickup: number[]; trace: { lat: number[]; mibs: number } }> {
  const qport = await freePort();
  const queue = await spawnReady([path.join(ROOT, 'bench/server/floor-server.mjs'), 'queue', String(qport)], /ready/, mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-floor-')), qport);
  const pickups: Pickup[] = [];
  try {
    const stopPolling = new AbortController();
    setMaxListeners(0, stopPolling.signal);
    const polling = pollers(queue.url, Array.from({ length: RUNNERS }, (_, i) => `r${i}`), false, pickups, stopPolling.signal);
    await sleep(2000);
    for (let p = 0; p < PIPELINES; p++) {
      await fetch(`${queue.url}/enqueue`, { method: 'POST', body: JSON.stringify({ n: JOBS }) }).then((r) => r.arrayBuffer());
      await sleep(100);
    }
    await waitFor('floor pickups', () => pickups.length >= PIPELINES * JOBS);
    stopPolling.abort();
    await polling.catch(() => undefined);
  } finally {
    await stop(queue);
  }
  const tport = await freePort();
  const tdir = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-floor-'));
  const traceSrv = await spawnReady([path.join(ROOT, 'bench/server/floor-server.mjs'), 'trace', String(tport), path.join(tdir, 'floor.db')], /ready/, tdir, tport);
  try {
    const trace = await traceLoad(traceSrv.url, Array.from({ length: TRACE_JOBS }, (_, i) => ({ id: i + 1, token: 't' })));
    return { pickup: pickups.map((p) => p.at - (p.queuedAt ?? Number.NaN)), trace };
  } finally {
    await stop(traceSrv);
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`server bench: ${RUNNERS} runners, ${PIPELINES} pipelines x ${JOBS} jobs, trace ${TRACE_JOBS} jobs x ${TRACE_CHUNKS} x 64 KiB; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const floor = await benchFloor();
const ours = await benchOurs();
const row = (name: string, a: number, b: number, unit: (x: number) => string) => console.log(`${name.padEnd(28)} ours ${unit(a).padStart(12)}  floor ${unit(b).padStart(12)}  ratio ${(a / b).toFixed(2)}`);
row('pickup latency p50', pct(ours.pickup, 50), pct(floor.pickup, 50), ms);
row('pickup latency p99', pct(ours.pickup, 99), pct(floor.pickup, 99), ms);
row('trace PATCH MiB/s', ours.trace.mibs, floor.trace.mibs, (x) => `${x.toFixed(1)} MiB/s`);
row('trace PATCH p50', pct(ours.trace.lat, 50), pct(floor.trace.lat, 50), ms);
row('trace PATCH p99', pct(ours.trace.lat, 99), pct(floor.trace.lat, 99), ms);
console.log(`pipeline create (${JOBS} jobs, API) median ${ms(pct(ours.createMs, 50))}; pickups: ours ${ours.pickup.length}, floor ${floor.pickup.length}; load after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
