// Drives the real CLI (node bin/drydock.js, built to dist/) as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(REPO_ROOT, 'bin', 'drydock.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Kill the CLI (and fail) after this long; default 60 s. */
  timeoutMs?: number;
  /** Called once the process has started (e.g. to send it SIGINT later). */
  onStart?(child: ChildProcess): void;
  /** Called with each stdout chunk. */
  onStdout?(chunk: string, child: ChildProcess): void;
}

export function runCli(args: string[], o: CliOptions): Promise<CliResult> {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before the e2e tests');
  }
  return new Promise((resolve, reject) => {
    // Builds directories go beside the repository (createTempRepo's parent folder, removed with
    // it), never into the user's ~/.cache.
    const cacheHome = path.join(path.dirname(o.cwd), '.xdg-cache');
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      o.onStdout?.(c, child);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`drydock ${args.join(' ')} did not finish in ${o.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, o.timeoutMs ?? 60_000);
    o.onStart?.(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface PipelineRecordJob {
  name: string;
  stage: string;
  status: string;
  attempts: Array<{ status: string; failureReason?: string; exitCode?: number; allowedToFail: boolean; startedAt: string; finishedAt: string; logFile: string }>;
}

export interface PipelineRecordFile {
  id: number;
  status: string;
  sha: string;
  jobs: PipelineRecordJob[];
}

/** .drydock/pipelines/<id>/pipeline.json (the latest pipeline when id is omitted). */
export function readPipeline(projectDir: string, id?: number): PipelineRecordFile {
  const n = id ?? Number(readFileSync(path.join(projectDir, '.drydock', 'pipeline-counter'), 'utf8').trim());
  return JSON.parse(readFileSync(path.join(projectDir, '.drydock', 'pipelines', String(n), 'pipeline.json'), 'utf8')) as PipelineRecordFile;
}

export function jobOf(p: PipelineRecordFile, name: string): PipelineRecordJob {
  const j = p.jobs.find((x) => x.name === name);
  if (j === undefined) throw new Error(`job ${name} not in pipeline ${p.id}: ${p.jobs.map((x) => x.name).join(', ')}`);
  return j;
}

/** Whether any process still has `marker` in its command line (for "no process left behind"). */
export function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSafe('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(marker)) out.push(`${pid}: ${cmd}`);
    } catch {
      // process ended meanwhile
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
