// Registry benchmark: push and pull a ~300 MB, 10-layer image with the docker CLI to Drydock's
// standalone registry, to the registry mounted in `drydock server` (token auth: `docker login`
// with a personal access token, every request carries a JWT from /jwt/auth), and to Debian's
// docker-registry (CNCF distribution 2.8) in the same run, plus a raw HTTP transfer of one 300 MB
// blob to each (the server alone, without docker's gzip and unpack). Prints throughput for each,
// the ratio to distribution (target ≥ 1.0), each server's peak RSS (VmHWM) and the CPU time its
// process spent on each step (and dockerd's during each pull), from /proc/<pid>/stat.
// Run: npx tsc -p tsconfig.json && npx tsx bench/registry/run.ts
//      (needs docker and `apt-get install -y docker-registry`)
// Our registries run as compiled JS in their own processes (no tsx loader), so RSS is comparable;
// the coordinator's RSS includes everything else it serves (API, git, SQLite).
// env: BENCH_ROUNDS=3 (a multiple of 3: each registry goes first, second and third equally often)
//      BENCH_LAYERS=10 BENCH_LAYER_MB=30
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 10);
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 30);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const IMAGE = 'drydock-bench/registry:src';

interface Server { name: string; host: string; proc: ChildProcess; root: string; /** Authorization header for raw HTTP requests. */ auth?: (scope: string) => Promise<string> }
interface Sample { push: number; pull: number; rawUp: number; rawDown: number; rssMb: number; /** CPU seconds (user+system) the server process used during its docker push / pull / raw GET, and dockerd during the pull. */ pushCpu: number; pullCpu: number; rawDownCpu: number; dockerdPullCpu: number }

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

async function waitReady(host: string, status = 200): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => request({ host: '127.0.0.1', port: host.split(':')[1], path: '/v2/' }, (res) => { res.resume(); r(res.statusCode === status); }).on('error', () => r(false)).end());
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

/** `drydock server` (compiled dist/), a project bench/big + bench/raw, and `docker login` with the admin PAT. */
async function startCoordinator(port: number): Promise<Server> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-bench-server-'));
  const proc = spawn(process.execPath, [join(ROOT, 'bin/drydock.js'), 'server', '--data', root, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error', '--long-poll', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const host = `127.0.0.1:${port}`;
  await waitReady(host, 401); // the registry challenges anonymous clients
  for (let i = 0; i < 50 && !/admin personal token:\s+\S+/.test(out); i++) await sleep(100);
  const token = /admin personal token:\s+(\S+)/.exec(out)?.[1];
  if (!token) throw new Error(`drydock server printed no admin token: ${out}`);
  for (const name of ['big', 'raw']) {
    const res = await fetch(`http://${host}/api/v4/projects`, { method: 'POST', headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' }, body: JSON.stringify({ name, namespace: 'bench' }) });
    if (res.status !== 201) throw new Error(`project bench/${name}: ${res.status} ${await res.text()}`);
  }
  execFileSync('docker', ['login', '-u', 'root', '--password-stdin', host], { input: token, stdio: ['pipe', 'ignore', 'inherit'] });
  const auth = async (scope: string): Promise<string> => {
    const url = `http://${host}/jwt/auth?service=container_registry&scope=${encodeURIComponent(scope)}`;
    const init = { headers: { authorization: `Basic ${Buffer.from(`root:${token}`).toString('base64')}` } };
    // fetch reuses a pooled keep-alive socket the server may be closing after a long idle push: retry once.
    const res = await fetch(url, init).catch(() => fetch(url, init));
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  };
  return { name: 'drydock server', host, proc, root, auth };
}

async function startDistribution(port: number): Promise<Server> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-bench-distribution-'));
  const config = join(root, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await waitReady(`127.0.0.1:${port}`);
  return { name: 'distribution', host: `127.0.0.1:${port}`, proc, root };
}

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

/**
 * Before a timed step: flushes dirty pages (otherwise the writeback of the previous step, a 300 MiB
 * extraction or the image build, lands on whichever registry comes next), then writes and deletes a
 * file a little larger than the image. On this VM, memory the guest freed is handed back to the
 * host (free page reporting) and the next first write to it costs ~3 ms per MiB of system CPU
 * (`dd` of 300 MiB into the page cache: 0.7-1.0 s "cold" against 0.07-0.1 s right after a freed
 * file). Every registry writes the same 300 MiB into the page cache, so without this the step that
 * happens to draw cold pages pays up to ~1 s of CPU that is not the registry's own work.
 */
function settle(): void {
  execFileSync('sync');
  const warm = join(tmpdir(), `drydock-bench-page-warmup-${process.pid}`);
  execFileSync('dd', ['if=/dev/zero', `of=${warm}`, 'bs=1M', `count=${LAYERS * LAYER_MB + 64}`], { stdio: 'ignore' });
  rmSync(warm);
}

function timed(label: string, fn: () => void): number {
  settle();
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
async function rawTransfer(server: Server, files: string[], digest: string): Promise<{ up: number; down: number; downCpu: number }> {
  const host = server.host;
  // One token for the whole transfer, fetched before the clock starts (docker also reuses its token).
  const auth: Record<string, string> = server.auth ? { Authorization: await server.auth('repository:bench/raw:pull,push') } : {};
  const start = await http(host, 'POST', '/v2/bench/raw/blobs/uploads/', auth);
  if (start.status !== 202) throw new Error(`${host} POST upload ${start.status}`);
  const location = String(start.headers.location);
  const t0 = now();
  const concat = async function* () {
    for (const f of files) yield* createReadStream(f, { highWaterMark: 1 << 20 });
  };
  const { Readable } = await import('node:stream');
  const patch = await http(host, 'PATCH', location, { ...auth, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }, () => Readable.from(concat()));
  if (patch.status !== 202) throw new Error(`${host} PATCH ${patch.status}`);
  const next = String(patch.headers.location);
  const put = await http(host, 'PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${digest}`, { ...auth, 'Content-Length': '0' });
  if (put.status !== 201) throw new Error(`${host} PUT ${put.status}`);
  const up = (now() - t0) / 1000;
  const cpu0 = cpuSeconds(server.proc.pid);
  const t1 = now();
  const get = await http(host, 'GET', `/v2/bench/raw/blobs/${digest}`, auth);
  if (get.status !== 200) throw new Error(`${host} GET ${get.status}`);
  const down = (now() - t1) / 1000;
  return { up, down, downCpu: cpuSeconds(server.proc.pid) - cpu0 };
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
  const started = [await startDrydock(await freePort()), await startCoordinator(await freePort()), await startDistribution(await freePort())];
  // Rotate the order each round: whoever goes first meets a colder page cache and docker.
  const servers = [...started.slice(index % started.length), ...started.slice(0, index % started.length)];
  try {
    const result: Record<string, Sample> = {};
    const refs = servers.map((s) => `${s.host}/bench/big:${index}`);
    const push: number[] = [];
    const pushCpu: number[] = [];
    for (const [i, s] of servers.entries()) {
      sh('docker', ['tag', IMAGE, refs[i]!]);
      const cpu0 = cpuSeconds(s.proc.pid);
      push[i] = timed(`docker push ${s.name}`, () => sh('docker', ['push', refs[i]!]));
      pushCpu[i] = cpuSeconds(s.proc.pid) - cpu0;
    }
    sh('docker', ['image', 'rm', IMAGE, ...refs]);
    // One untimed pull first (from the registry that goes last this round): the first pull after
    // the image removal ran slower for whoever held that slot (always Drydock standalone in round 1).
    const warm = refs[servers.length - 1]!;
    sh('docker', ['pull', warm]);
    sh('docker', ['image', 'rm', warm]);
    const pull: number[] = [];
    const pullCpu: number[] = [];
    const dockerdPullCpu: number[] = [];
    for (const [i, s] of servers.entries()) {
      const cpu0 = cpuSeconds(s.proc.pid);
      const dockerd0 = cpuSeconds(DOCKERD_PID);
      pull[i] = timed(`docker pull ${s.name}`, () => sh('docker', ['pull', refs[i]!]));
      pullCpu[i] = cpuSeconds(s.proc.pid) - cpu0;
      dockerdPullCpu[i] = cpuSeconds(DOCKERD_PID) - dockerd0;
      step(`  CPU during the pull: ${s.name} ${pullCpu[i]!.toFixed(2)} s, dockerd ${dockerdPullCpu[i]!.toFixed(2)} s`);
      if (i < servers.length - 1) sh('docker', ['image', 'rm', refs[i]!]); // the next pull must fetch every layer
    }
    sh('docker', ['tag', refs[servers.length - 1]!, IMAGE]);
    sh('docker', ['image', 'rm', refs[servers.length - 1]!]);
    for (const [i, s] of servers.entries()) {
      settle();
      const raw = await rawTransfer(s, files, digest);
      step(`raw blob ${s.name}: up ${raw.up.toFixed(1)} s, down ${raw.down.toFixed(2)} s (${raw.downCpu.toFixed(2)} s CPU)`);
      result[s.name] = { push: push[i]!, pull: pull[i]!, rawUp: raw.up, rawDown: raw.down, rssMb: peakRssMb(s.proc.pid), pushCpu: pushCpu[i]!, pullCpu: pullCpu[i]!, rawDownCpu: raw.downCpu, dockerdPullCpu: dockerdPullCpu[i]! };
    }
    return result;
  } finally {
    // Even when a step fails: no registry process may outlive the benchmark.
    for (const s of servers) {
      if (s.auth) execFileSync('docker', ['logout', s.host], { stdio: 'ignore' });
      await stop(s);
    }
  }
}

let SERVE_JS = '';
let DOCKERD_PID = 0;

async function main(): Promise<void> {
  execFileSync('docker-registry', ['--version'], { stdio: 'ignore' });
  // The server target needs `docker login`: keep it out of the user's ~/.docker/config.json.
  const dockerConfig = mkdtempSync(join(tmpdir(), 'drydock-bench-docker-config-'));
  process.env.DOCKER_CONFIG = dockerConfig;
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  SERVE_JS = compileServer();
  DOCKERD_PID = Number(sh('pidof', ['-s', 'dockerd']));
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
    console.log(`\nimage: ${LAYERS} layers x ${LAYER_MB} MiB random = ${mb} MiB, ${ROUNDS} rounds (fresh registries each round, order rotated)`);
    console.log('| | drydock standalone MiB/s | drydock server (token auth) MiB/s | distribution MiB/s | ratio standalone | ratio server |');
    console.log('|---|---|---|---|---|---|');
    for (const [label, key] of [['docker push', 'push'], ['docker pull', 'pull'], ['raw blob PATCH upload', 'rawUp'], ['raw blob GET', 'rawDown']] as const) {
      const ours = rate('drydock', key);
      const server = rate('drydock server', key);
      const theirs = rate('distribution', key);
      console.log(`| ${label} | ${ours.toFixed(1)} | ${server.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)} | ${(server / theirs).toFixed(2)} |`);
    }
    const cpu = (key: 'pushCpu' | 'pullCpu' | 'rawDownCpu' | 'dockerdPullCpu'): string =>
      ['drydock', 'drydock server', 'distribution'].map((name) => (sum(name, key) / ROUNDS).toFixed(2)).join(' / ');
    // Single rounds swing ±30 % with other load on the machine: show the spread behind each ratio.
    for (const key of ['push', 'pull'] as const) {
      const perRound = samples.map((r) => `${(r.distribution![key] / r.drydock![key]).toFixed(2)}/${(r.distribution![key] / r['drydock server']![key]).toFixed(2)}`);
      console.log(`per-round docker ${key} ratio (standalone/server): ${perRound.join(' ')}`);
    }
    console.log('\nCPU seconds (user+system, mean per round; standalone / server / distribution):');
    console.log(`  registry process during docker push: ${cpu('pushCpu')}`);
    console.log(`  registry process during docker pull: ${cpu('pullCpu')}`);
    console.log(`  dockerd during docker pull:          ${cpu('dockerdPullCpu')}`);
    console.log(`  registry process during raw GET:     ${cpu('rawDownCpu')}`);
    console.log(`\npeak RSS: drydock standalone ${peak('drydock').toFixed(0)} MiB, drydock server ${peak('drydock server').toFixed(0)} MiB, distribution ${peak('distribution').toFixed(0)} MiB`);
    console.log(`load average at end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true });
    execFileSync('docker', ['image', 'rm', '-f', IMAGE], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
