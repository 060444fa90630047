// bench/run-shell: `drydock run` with the shell executor beside gitlab-ci-local on the same repo,
// in the same run, plus the per-job overhead beside a bare `bash -c true`.
//
//   npx tsc -p tsconfig.json && npx tsx bench/run-shell/run.ts [--runs N]
//
// Peer: gitlab-ci-local 4.75 under Node 22, installed with
//   npm install --prefix bench/.peer node@22 gitlab-ci-local@4.75   (and rsync from apt)
// When it is missing the peer column says so and only our figures are printed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchWorkspace, DRYDOCK, ROOT, makeRepo, measure, median, PEER_CLI, PEER_NODE, runsFromArgs, timeOnce } from '../_support/bench-kit.js';

const RUNS = runsFromArgs(5);

/** 3 stages, 6 echo jobs (two per stage). */
const PIPELINE = `stages: [build, test, deploy]
${['build', 'test', 'deploy'].flatMap((s) => [1, 2].map((i) => `${s}-${i}:\n  stage: ${s}\n  script:\n    - echo "${s} ${i}"\n`)).join('')}`;

/** N jobs in N stages, one after the other: the marginal cost of one more job. */
function chain(n: number): string {
  const stages = Array.from({ length: n }, (_, i) => `s${i}`);
  return `stages: [${stages.join(', ')}]\n${stages.map((s) => `job-${s}:\n  stage: ${s}\n  script: ['true']\n`).join('')}`;
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

/** Which build `bin/drydock.js run` loads: the bundle when it is newer than dist/ (see bin/load-bundle.js). */
function cliBuild(): string {
  const mtime = (f: string): number => statSync(path.join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const bundle = mtime('dist/bundle/drydock-run.cjs');
  return bundle > 0 && bundle >= mtime('dist/cli/main.js') ? 'bundle (dist/bundle/drydock-run.cjs + code cache)' : 'dist/ modules (no fresh bundle: node scripts/build-cli-bundle.mjs)';
}

/** createdAt → finishedAt of the newest pipeline in the repo's .drydock: the wall time minus start-up and exit. */
function lastPipelineMs(repo: string): number {
  const dir = path.join(repo, '.drydock', 'pipelines');
  const newest = Math.max(...readdirSync(dir).map(Number).filter(Number.isInteger));
  const p = JSON.parse(readFileSync(path.join(dir, String(newest), 'pipeline.json'), 'utf8')) as { createdAt: string; finishedAt: string };
  return Date.parse(p.finishedAt) - Date.parse(p.createdAt);
}

function main(): void {
  const workspace = benchWorkspace();
  const { env, hasPeer, repos } = workspace;
  try {
    // 1. The 3-stage, 6-job echo pipeline, ours beside the peer's.
    const repo = makeRepo(PIPELINE, 'run-shell');
    repos.push(repo);
    const spans: number[] = [];
    const ours = (): number => {
      const ms = timeOnce(process.execPath, [DRYDOCK, 'run'], repo, env);
      spans.push(lastPipelineMs(repo));
      return ms;
    };
    const peer = (): number => timeOnce(PEER_NODE, [PEER_CLI, '--shell-executor-no-image', '--no-artifacts-to-source'], repo, env);
    const [oursMs, peerMs] = measure(hasPeer ? [ours, peer] : [ours], RUNS);
    const oursMed = median(oursMs!);
    console.log(`drydock CLI: ${cliBuild()}`);
    console.log(`pipeline: 3 stages, 6 echo jobs, shell executor, ${RUNS} runs each (median), ${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`);
    console.log(`  drydock run          ${fmt(oursMed)}   (runs: ${oursMs!.map(fmt).join(', ')})`);
    console.log(`    of which pipeline  ${fmt(median(spans.slice(1)))}   (createdAt → finishedAt; the rest is start-up and exit)`);
    if (hasPeer && peerMs) {
      const peerMed = median(peerMs);
      console.log(`  gitlab-ci-local 4.75 ${fmt(peerMed)}   (runs: ${peerMs.map(fmt).join(', ')})`);
      console.log(`  ratio                ${(peerMed / oursMed).toFixed(2)}x faster (target >= 3x)`);
    } else {
      console.log('  gitlab-ci-local      not installed (npm install --prefix bench/.peer node@22 gitlab-ci-local@4.75)');
    }

    // 2. Per-job overhead: marginal time of one more job in a chain, beside `bash -c true`.
    const n = 11;
    const one = makeRepo(chain(1), 'run-shell');
    const many = makeRepo(chain(n), 'run-shell');
    repos.push(one, many);
    const peerRun = (dir: string) => (): number => timeOnce(PEER_NODE, [PEER_CLI, '--shell-executor-no-image', '--no-artifacts-to-source', '--concurrency', '1'], dir, env);
    const span1: number[] = [];
    const spanN: number[] = [];
    const chainRun = (dir: string, spans: number[]) => (): number => {
      const ms = timeOnce(process.execPath, [DRYDOCK, 'run', '-j', '1'], dir, env);
      spans.push(lastPipelineMs(dir));
      return ms;
    };
    const [t1, tn, bash, p1, pn] = measure([
      chainRun(one, span1),
      chainRun(many, spanN),
      () => timeOnce('bash', ['-c', 'true'], one, env),
      ...(hasPeer ? [peerRun(one), peerRun(many)] : []),
    ], RUNS);
    const perJob = (median(tn!) - median(t1!)) / (n - 1);
    const bashMed = median(bash!);
    console.log(`per-job cost: (${n}-job chain − 1-job chain) / ${n - 1}, ${RUNS} runs each (median)`);
    // Start-up varies by hundreds of ms on a busy machine and swamps the wall-time difference;
    // the pipeline records' spans (no start-up) give the same marginal cost with less noise.
    const perJobSpan = (median(spanN.slice(1)) - median(span1.slice(1))) / (n - 1);
    console.log(`  drydock: one more job          ${fmt(perJob)} (wall)   ${fmt(perJobSpan)} (pipeline span)`);
    if (p1 && pn) console.log(`  gitlab-ci-local: one more job  ${fmt((median(pn) - median(p1)) / (n - 1))}`);
    console.log(`  bash -c true                   ${bashMed.toFixed(1)} ms`);
    console.log(`  drydock overhead               ${fmt(perJob - bashMed)} (wall)   ${fmt(perJobSpan - bashMed)} (pipeline span) per job (target < 50 ms)`);
    console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    workspace.dispose();
  }
}

main();
