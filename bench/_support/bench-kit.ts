// Shared by the benchmarks that time whole commands: paths of our CLI and of the peer, throw-away
// git repositories, wall-time measurement alternating the commands, medians.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DRYDOCK = path.join(ROOT, 'bin', 'drydock.js');
/** gitlab-ci-local 4.75 under Node 22: npm install --prefix bench/.peer node@22 gitlab-ci-local@4.75 */
export const PEER_NODE = path.join(ROOT, 'bench/.peer/node_modules/node/bin/node');
export const PEER_CLI = path.join(ROOT, 'bench/.peer/node_modules/gitlab-ci-local/dist/index.js');

/** `--runs N` from the command line, else `fallback`. */
export function runsFromArgs(fallback = 5): number {
  const i = process.argv.indexOf('--runs');
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A committed git repository with an `origin` remote (gitlab-ci-local needs one) holding `ci`. */
export function makeRepo(ci: string, name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `drydock-bench-${name}-`));
  const git = (...args: string[]): void => { execFileSync('git', args, { cwd: dir, stdio: 'ignore' }); };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'Bench');
  git('remote', 'add', 'origin', `https://gitlab.example.com/bench/${name}.git`);
  writeFileSync(path.join(dir, '.gitlab-ci.yml'), ci);
  writeFileSync(path.join(dir, '.gitignore'), '.drydock/\n.gitlab-ci-local/\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
  return dir;
}

/** Wall time of one command in ms; throws with its output if it fails. */
export function timeOnce(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Alternates the commands run by run so that load on the machine hits all alike; one warm-up each. */
export function measure(commands: Array<() => number>, runs: number): number[][] {
  const samples = commands.map(() => [] as number[]);
  for (const c of commands) c();
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => samples[k]!.push(c()));
  return samples;
}

/**
 * What every CLI benchmark needs: the build present, an isolated cache dir for our builds, whether
 * the peer is installed, and a place to register throw-away repos; dispose() removes them all.
 */
export function benchWorkspace(): { env: NodeJS.ProcessEnv; hasPeer: boolean; repos: string[]; dispose(): void } {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-cache-'));
  const repos: string[] = [];
  return {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' },
    hasPeer: existsSync(PEER_NODE) && existsSync(PEER_CLI),
    repos,
    dispose: () => {
      for (const r of repos) rmSync(r, { recursive: true, force: true });
      rmSync(cacheHome, { recursive: true, force: true });
    },
  };
}
