// Lint benchmark: parse + validate + compile a generated 2,000-job .gitlab-ci.yml with Drydock,
// beside `gitlab-ci-local --list` on the same file in the same run. Prints both and the ratio.
// Run: npx tsx bench/lint/run.ts   (peer: npm install --prefix bench/.peer node@22 gitlab-ci-local@4.75)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compilePipelineFile } from '../../src/pipeline/index.js';
import { buildContext } from '../../test/fixtures/_support/load-fixture.js';
import { generateConfig } from './generate-config.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PEER_RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const PEER_NODE = join(ROOT, 'bench/.peer/node_modules/.bin/node');
const PEER_CLI = join(ROOT, 'bench/.peer/node_modules/gitlab-ci-local/dist/index.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** A throw-away git repository holding the config (the peer needs git and an `origin` remote). */
function makeRepo(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-bench-lint-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), content);
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: dir, stdio: 'ignore' });
  };
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
  git('add', '.gitlab-ci.yml');
  git('commit', '-q', '-m', 'bench');
  // Tell the peer the default branch so it does not shell out to guess it.
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  return dir;
}

async function timeOurs(dir: string, content: string): Promise<{ ms: number[]; jobs: number; errors: string[] }> {
  const ctx = buildContext({ dir, context: { files: ['.gitlab-ci.yml'] } });
  const once = async (): Promise<{ ms: number; jobs: number; errors: string[] }> => {
    const t0 = performance.now();
    const r = await compilePipelineFile({ projectDir: dir, file: '.gitlab-ci.yml', content, listFiles: () => ['.gitlab-ci.yml'], changedFiles: () => undefined }, ctx);
    const ms = performance.now() - t0;
    return { ms, jobs: r.pipeline?.jobs.length ?? 0, errors: r.errors.slice(0, 5).map((e) => `${e.line}:${e.column} ${e.message}`) };
  };
  for (let i = 0; i < 3; i++) await once(); // warm-up: JIT and module caches
  const ms: number[] = [];
  let last = { ms: 0, jobs: 0, errors: [] as string[] };
  for (let i = 0; i < RUNS; i++) {
    last = await once();
    ms.push(last.ms);
  }
  return { ms, jobs: last.jobs, errors: last.errors };
}

function timePeer(dir: string): { ms: number[]; jobs: number; note?: string } {
  if (!existsSync(PEER_CLI)) return { ms: [], jobs: 0, note: `peer not installed (${PEER_CLI})` };
  const ms: number[] = [];
  let jobs = 0;
  for (let i = 0; i < PEER_RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(PEER_NODE, [PEER_CLI, '--list'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    ms.push(performance.now() - t0);
    if (r.status !== 0) return { ms, jobs: 0, note: `peer exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 800)}` };
    // `--list` prints progress lines, a header starting with `name`, then one line per job.
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => /^name\s+description/.test(l));
    jobs = lines.slice(header + 1).filter((l) => l.trim() !== '').length;
  }
  return { ms, jobs };
}

const content = generateConfig(JOBS);
const dir = makeRepo(content);
try {
  console.log(`config: ${JOBS} jobs requested, ${(content.length / 1024).toFixed(0)} KiB, ${content.split('\n').length} lines (${dir})`);
  const ours = await timeOurs(dir, content);
  const ourMedian = median(ours.ms);
  console.log(`drydock  parse+validate+compile: median ${ourMedian.toFixed(1)} ms over ${RUNS} runs (min ${Math.min(...ours.ms).toFixed(1)}, max ${Math.max(...ours.ms).toFixed(1)}), ${ours.jobs} jobs`);
  if (ours.errors.length > 0) console.log(`drydock errors: ${ours.errors.join(' | ')}`);
  const peer = timePeer(dir);
  if (peer.note) console.log(`gitlab-ci-local: ${peer.note}`);
  if (peer.ms.length > 0 && !peer.note) {
    const peerMedian = median(peer.ms);
    console.log(`gitlab-ci-local --list (wall, incl. process start): median ${peerMedian.toFixed(1)} ms over ${PEER_RUNS} runs, ${peer.jobs} jobs`);
    console.log(`ratio: drydock is ${(peerMedian / ourMedian).toFixed(1)}x faster (target: >= 5x, and < 150 ms for 2,000 jobs)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
