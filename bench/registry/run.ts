// Registry benchmark: push and pull a ~300 MB, 10-layer image with the docker CLI to Drydock's
// registry and to Debian's docker-registry (CNCF distribution 2.8) in the same run, plus a raw
// HTTP transfer of one 300 MB blob to each (the server alone, without docker's gzip and unpack).
// Prints throughput for each, the ratio (target ≥ 1.0) and each server's peak RSS (VmHWM).
// Run: npx tsx bench/registry/run.ts   (needs docker and `apt-get install -y docker-registry`)
// Our server runs as compiled JS in its own process (no tsx loader), so its RSS is comparable.
// env: BENCH_ROUNDS=2 BENCH_LAYERS=10 BENCH_LAYER_MB=30
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 10);
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 30);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const IMAGE = 'drydock-bench/registry:src';

interface Server { name: string; host: string; proc: ChildProcess; root: string }
interface Sample { push: number; pull: number; rawUp: number; rawDown: number; rssMb: number }

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
const now = (): number => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function buildImage(dir: string): number {
  const lines = ['FROM scratch'];
  for (let i = 0; i < LAYERS; i++) {
    execFileSync('sh', ['-c', `head -c ${LAYER_MB}M /dev/urandom > ${join(dir, `f${i}`)}`]);
    lines.push(`COPY f${i} /f${i}`);
  }
  writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  execFileSync('docker', ['build', '-q', '-t', IMAGE, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
  return LAYERS * LAYER_MB * 1024 * 1024;
}

async function waitReady(host: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => request({ host: '127.0.0.1', port: host.split(':')[1], path: '/v2/' }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)).end());
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`registry at ${host} did not start`);
}

/** Compiles serve.ts and the registry to plain JS (under node_modules/.cache so packages resolve): RSS without tsx. */
function compileServer(): string {
  const out = join(ROOT, 'node_modules/.cache/drydock-bench-registry');
  rmSync(out, { recursive: true, force: true });
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['--outDir', out, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--strict', join(ROOT, 'bench/registry/serve.ts')], { stdio: 'inherit' });
  return join(out, 'bench/registry/serve.js');
}

async function startDrydock(port: number): Promise<Server> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-bench-ours-'));
  const proc = spawn(process.execPath, [SERVE_JS, root, String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitReady(`127.0.0.1:${port}`);
  return { name: 'drydock', host: `127.0.0.1:${port}`, proc, root };
}

async function startDistribution(port: number): Promise<Server> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-bench-distribution-'));
  const config = join(root, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await waitReady(`127.0.0.1:${port}`);
  return { name: 'distribution', host: `127.0.0.1:${port}`, proc, root };
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((r) => server.proc.once('exit', r));
  server.proc.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
  rmSync(server.root, { recursive: true, force: true });
}

function timed(label: string, fn: () => void): number {
  const start = now();
  fn();
  const seconds = (now() - start) / 1000;
  step(`${label}: ${seconds.toFixed(1)} s`);
  return seconds;
}

function step(line: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function http(host: string, method: string, path: string, headers: Record<string, string>, body?: () => NodeJS.ReadableStream): Promise<{ status: number; headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: host.split(':')[1], method, path, headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body().pipe(req);
    else req.end();
  });
}

/** One blob of all layer files back to back, streamed as a single PATCH (docker's way), then read back. */
async function rawTransfer(host: string, files: string[], digest: string): Promise<{ up: number; down: number }> {
  const start = await http(host, 'POST', '/v2/bench/raw/blobs/uploads/', {});
  const location = String(start.headers.location);
  const t0 = now();
  const concat = async function* () {
    for (const f of files) yield* createReadStream(f, { highWaterMark: 1 << 20 });
  };
  const { Readable } = await import('node:stream');
  const patch = await http(host, 'PATCH', location, { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }, () => Readable.from(concat()));
  if (patch.status !== 202) throw new Error(`${host} PATCH ${patch.status}`);
  const next = String(patch.headers.location);
  const put = await http(host, 'PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${digest}`, { 'Content-Length': '0' });
  if (put.status !== 201) throw new Error(`${host} PUT ${put.status}`);
  const up = (now() - t0) / 1000;
  const t1 = now();
  const get = await http(host, 'GET', `/v2/bench/raw/blobs/${digest}`, {});
  if (get.status !== 200) throw new Error(`${host} GET ${get.status}`);
  return { up, down: (now() - t1) / 1000 };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

async function round(index: number, files: string[], digest: string): Promise<Record<string, Sample>> {
  const servers = [await startDrydock(await freePort()), await startDistribution(await freePort())];
  if (index % 2 === 1) servers.reverse();
  try {
    const result: Record<string, Sample> = {};
    const refs = servers.map((s) => `${s.host}/bench/big:${index}`);
    const push: number[] = [];
    for (const [i, s] of servers.entries()) {
      sh('docker', ['tag', IMAGE, refs[i]!]);
      push[i] = timed(`docker push ${s.name}`, () => sh('docker', ['push', refs[i]!]));
    }
    sh('docker', ['image', 'rm', IMAGE, ...refs]);
    const pull: number[] = [];
    for (const [i, s] of servers.entries()) {
      pull[i] = timed(`docker pull ${s.name}`, () => sh('docker', ['pull', refs[i]!]));
      if (i === 0) sh('docker', ['image', 'rm', refs[0]!]);
    }
    sh('docker', ['tag', refs[servers.length - 1]!, IMAGE]);
    sh('docker', ['image', 'rm', refs[servers.length - 1]!]);
    for (const [i, s] of servers.entries()) {
      const raw = await rawTransfer(s.host, files, digest);
      step(`raw blob ${s.name}: up ${raw.up.toFixed(1)} s, down ${raw.down.toFixed(1)} s`);
      result[s.name] = { push: push[i]!, pull: pull[i]!, rawUp: raw.up, rawDown: raw.down, rssMb: peakRssMb(s.proc.pid) };
    }
    return result;
  } finally {
    // Even when a step fails: no registry process may outlive the benchmark.
    for (const s of servers) await stop(s);
  }
}

let SERVE_JS = '';

async function main(): Promise<void> {
  execFileSync('docker-registry', ['--version'], { stdio: 'ignore' });
  SERVE_JS = compileServer();
  const dir = mkdtempSync(join(tmpdir(), 'drydock-bench-image-'));
  try {
    const bytes = buildImage(dir);
    const files = Array.from({ length: LAYERS }, (_, i) => join(dir, `f${i}`));
    const hash = createHash('sha256');
    for (const f of files) hash.update(readFileSync(f));
    const digest = `sha256:${hash.digest('hex')}`;
    const samples: Array<Record<string, Sample>> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await round(i, files, digest);
      samples.push(r);
      console.log(`round ${i + 1}: ${JSON.stringify(r)}`);
    }
    const mb = bytes / (1024 * 1024);
    const sum = (name: string, key: keyof Sample): number => samples.reduce((s, r) => s + r[name]![key], 0);
    const rate = (name: string, key: keyof Sample): number => (mb * ROUNDS) / sum(name, key);
    const peak = (name: string): number => Math.max(...samples.map((r) => r[name]!.rssMb));
    console.log(`\nimage: ${LAYERS} layers x ${LAYER_MB} MiB random = ${mb} MiB, ${ROUNDS} rounds (fresh registries each round, order alternated)`);
    console.log('| | drydock MiB/s | distribution MiB/s | ratio |');
    console.log('|---|---|---|---|');
    for (const [label, key] of [['docker push', 'push'], ['docker pull', 'pull'], ['raw blob PATCH upload', 'rawUp'], ['raw blob GET', 'rawDown']] as const) {
      const ours = rate('drydock', key);
      const theirs = rate('distribution', key);
      console.log(`| ${label} | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)} |`);
    }
    console.log(`\npeak RSS: drydock ${peak('drydock').toFixed(0)} MiB, distribution ${peak('distribution').toFixed(0)} MiB`);
  } finally {
    execFileSync('docker', ['image', 'rm', '-f', IMAGE], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
