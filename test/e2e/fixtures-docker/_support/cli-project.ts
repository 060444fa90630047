// A throw-away git project made from one recipe folder (plus the shared app the recipes build),
// and a runner for the built CLI (`node bin/drydock.js`). Run `npx tsc -p tsconfig.json` first.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const fixturesDir = resolve(here, '..');
export const repoRoot = resolve(here, '../../../..');
const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));

export interface Project {
  dir: string;
  /** Where job checkouts go (kept out of ~/.cache). */
  buildsDir: string;
  root: string;
  dispose(): void;
}

/** Copies the recipe (and _app) into a new git repo with an `origin` remote; `replace` edits placeholders. */
export function projectFromFixture(recipe: string, replace: Record<string, string> = {}): Project {
  const root = mkdtempSync(join(tmpdir(), `drydock-recipe-${recipe}-`));
  const dir = join(root, recipe);
  cpSync(join(fixturesDir, '_app'), dir, { recursive: true });
  cpSync(join(fixturesDir, recipe), dir, { recursive: true });
  if (!busybox) throw new Error('the recipes need a static busybox on this machine (Debian: busybox-static)');
  cpSync(busybox, join(dir, 'busybox'));
  for (const file of ['.gitlab-ci.yml', 'config.toml']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
    writeFileSync(path, text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `https://gitlab.example.com/group/${recipe}.git`);
  git('add', '-A');
  git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-qm', 'recipe');
  return { dir, root, buildsDir: join(root, 'builds'), dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  /** What the command printed (stdout and stderr). */
  output: string;
  /** Every job log of the project's runs (.drydock/pipelines/N/*.log): executor messages live here. */
  log: string;
}

function jobLogs(cwd: string): string {
  const root = join(cwd, '.drydock/pipelines');
  if (!existsSync(root)) return '';
  return readdirSync(root).sort((a, b) => Number(a) - Number(b)).flatMap((n) => {
    const dir = join(root, n);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f), 'utf8')) : [];
  }).join('\n');
}

/** Runs `drydock ARGS` in `cwd`; stdout and stderr interleaved. */
export function drydock(args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; onStart?: (pid: number) => void } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/drydock.js'), ...args], {
      cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) opts.onStart?.(child.pid);
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolvePromise({ code, output, log: jobLogs(cwd) }));
  });
}

/** `drydock run --executor docker` with the project's own builds dir and a generous service wait (loaded CI machines). */
export function runDocker(project: Project, extra: string[] = [], opts: { env?: NodeJS.ProcessEnv; onStart?: (pid: number) => void } = {}): Promise<CliResult> {
  return drydock(['run', '--executor', 'docker', '--builds-dir', project.buildsDir, '--wait-for-services-timeout', '180', ...extra], project.dir, opts);
}
