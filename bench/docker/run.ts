// bench/docker: the Docker executor's own cost, each figure beside its floor in the same run.
//   (a) a trivial job (busybox, `true`) end to end: `drydock run --executor docker` beside a bare
//       `docker run --rm busybox true` (the floor) and beside gitlab-ci-local on the same job.
//   (b) a dind job (the guide's TLS recipe): time from job start to the first script line, beside
//       the time the dind service itself needs to accept connections (started alone), and beside
//       the same Docker objects made by hand (see dind-floors.ts). All use the
//       same TLS certificates, made once before the runs (the dind stand-in makes its keys only when
//       $DOCKER_TLS_CERTDIR has none): generating three 4096-bit RSA keys takes seconds and varies by
//       seconds on a busy machine, which would swamp a 200 ms difference.
//
//   npx tsc -p tsconfig.json && npx tsx bench/docker/run.ts [--runs N]
//
// Peer: gitlab-ci-local 4.75 under Node 22: npm install --prefix bench/.peer node@22 gitlab-ci-local@4.75
// (plus rsync from apt); it runs offline with --helper-image busybox:latest in a repo with an origin.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import Docker from 'dockerode';
import { dindAlone, sameObjectsByHand } from './dind-floors.js';
import path from 'node:path';
import os from 'node:os';
import { benchWorkspace, DRYDOCK, ROOT, makeRepo, measure, median, PEER_CLI, PEER_NODE, runsFromArgs, timeOnce } from '../_support/bench-kit.js';

const RUNS = runsFromArgs(5);
/** `--only a` or `--only b` runs one part (for iterating on one figure); both by default. */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const TRIVIAL = `job:\n  image: busybox:latest\n  script:\n    - "true"\n`;
const DIND = `image: docker:20.10.16
variables:
  DOCKER_TLS_CERTDIR: "/certs"
services:
  - docker:20.10.16-dind
build:
  stage: build
  script:
    - echo FIRST-SCRIPT-LINE
    - docker info >/dev/null
`;

/**
 * Runs drydock on the dind repo: ms from the job's "started" line to the first script line, and
 * from the "Service ... is ready" line to the first script line (the executor's own share).
 */
function jobStartToFirstLine(repo: string, env: NodeJS.ProcessEnv, certs: string): Promise<{ total: number; afterReady: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRYDOCK, 'run', '--executor', 'docker', '--docker-privileged', '--docker-volumes', `${certs}:/certs`], { cwd: repo, env });
    let started: bigint | undefined;
    let first: bigint | undefined;
    let ready: bigint | undefined;
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      const now = process.hrtime.bigint();
      out += d.toString();
      if (started === undefined && out.includes('> started')) started = now;
      if (ready === undefined && / is ready: /.test(out)) ready = now;
      if (first === undefined && /^\[build\] FIRST-SCRIPT-LINE$/m.test(out)) first = now;
    });
    child.on('close', (code) => {
      if (code !== 0 || started === undefined || first === undefined || ready === undefined) reject(new Error(`drydock exited ${code}\n${out}`));
      else resolve({ total: Number(first - started) / 1e6, afterReady: Number(first - ready) / 1e6 });
    });
  });
}

/** A host directory with the CA, server and client certificates the dind stand-in makes at its first start. */
async function makeCerts(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-certs-'));
  const id = execFileSync('docker', ['run', '-d', '--privileged', '-e', 'DOCKER_TLS_CERTDIR=/certs', '-v', `${dir}:/certs`, 'docker:20.10.16-dind'], { encoding: 'utf8' }).trim();
  try {
    while (!existsSync(path.join(dir, 'client', 'cert.pem'))) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500)); // ca.pem is copied right after cert.pem
  } finally {
    execFileSync('docker', ['rm', '-f', '-v', id], { stdio: 'ignore' });
  }
  return dir;
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

/** Which build `bin/drydock.js run` loads: the bundle when it is newer than dist/ (see bin/load-bundle.js). */
function cliBuild(): string {
  const mtime = (f: string): number => statSync(path.join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const bundle = mtime('dist/bundle/drydock-run.cjs');
  return bundle > 0 && bundle >= mtime('dist/cli/main.js') ? 'bundle (dist/bundle/drydock-run.cjs + code cache)' : 'dist/ modules (no fresh bundle: node scripts/build-cli-bundle.mjs)';
}

async function main(): Promise<void> {
  const workspace = benchWorkspace();
  try {
    if (ONLY !== 'b') await trivialJob(workspace);
    if (ONLY !== 'a') await dindJob(workspace);
  } finally {
    workspace.dispose();
  }
}

async function trivialJob({ env, hasPeer, repos }: ReturnType<typeof benchWorkspace>): Promise<void> {
  const repo = makeRepo(TRIVIAL, 'docker');
  repos.push(repo);
  const floor = () => timeOnce('docker', ['run', '--rm', 'busybox:latest', 'true'], repo);
  const ours = () => timeOnce(process.execPath, [DRYDOCK, 'run', '--executor', 'docker'], repo, env);
  const peer = () => timeOnce(PEER_NODE, [PEER_CLI, '--helper-image', 'busybox:latest', '--no-color', 'job'], repo, env);
  const [f, o, p] = measure(hasPeer ? [floor, ours, peer] : [floor, ours], RUNS);
  console.log(`drydock CLI: ${cliBuild()}`);
  console.log(`(a) trivial docker job, median of ${RUNS} (load ${os.loadavg()[0]?.toFixed(1)}):`);
  console.log(`    docker run --rm busybox true (floor)   ${fmt(median(f!))}`);
  console.log(`    drydock run --executor docker          ${fmt(median(o!))}  = ${(median(o!) / median(f!)).toFixed(2)}x floor (target <= 1.5x)`);
  console.log(hasPeer ? `    gitlab-ci-local 4.75                   ${fmt(median(p!))}  = ${(median(p!) / median(f!)).toFixed(2)}x floor` : '    gitlab-ci-local: not installed (see header)');
}

async function dindJob({ env, repos }: ReturnType<typeof benchWorkspace>): Promise<void> {
  const dindRepo = makeRepo(DIND, 'docker');
  repos.push(dindRepo);
  const certs = await makeCerts();
  repos.push(certs);
  const docker = new Docker();
  const alone: number[] = [];
  const byHand: number[] = [];
  const job: number[] = [];
  const afterReady: number[] = [];
  await jobStartToFirstLine(dindRepo, env, certs); // warm-up
  for (let i = 0; i < RUNS; i++) {
    alone.push(await dindAlone(docker, certs));
    byHand.push(await sameObjectsByHand(docker, certs));
    const j = await jobStartToFirstLine(dindRepo, env, certs);
    job.push(j.total);
    afterReady.push(j.afterReady);
  }
  const overhead = job.map((j, i) => j - alone[i]!);
  const overByHand = job.map((j, i) => j - byHand[i]!);
  console.log(`(b) dind job (TLS, certificates made once beforehand), median of ${RUNS} (load ${os.loadavg()[0]?.toFixed(1)}):`);
  console.log(`    dind alone: start → 2376 accepts         ${fmt(median(alone))}`);
  console.log(`    same objects by hand: network + dind and job container in parallel → 2376 accepts ${fmt(median(byHand))}`);
  console.log(`    drydock: job start → first script line   ${fmt(median(job))}`);
  console.log(`    overhead                                 ${fmt(median(overhead))} (target <= 200 ms; pairwise: ${overhead.map(fmt).join(', ')})`);
  console.log(`    drydock over the same objects by hand    ${fmt(median(overByHand))} (pairwise: ${overByHand.map(fmt).join(', ')})`);
  console.log(`    drydock: service ready → first script line ${fmt(median(afterReady))} (min ${fmt(Math.min(...afterReady))}, max ${fmt(Math.max(...afterReady))})`);
}

await main();
