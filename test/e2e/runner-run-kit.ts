// Support for the runner loop e2e tests: a real coordinator (startServer), a project with a pushed
// .gitlab-ci.yml, runners registered over the API, a config.toml, and `drydock runner run` as a
// real child process whose stderr is collected.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO_ROOT } from './helpers/run-cli.js';
import { authedUrl, git, startTestServer, workingCopy, type TestServer } from './server-kit.js';

export interface RunnerProcess {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Project {
  id: number;
  fullPath: string;
  wc: string;
}

export async function createProject(t: TestServer, name: string, files: Record<string, string>): Promise<Project> {
  const created = await t.admin('POST', '/api/v4/projects', { name, namespace: 'grp' });
  if (created.status !== 201) throw new Error(`project: ${created.status} ${created.text}`);
  const wc = await workingCopy(files);
  return { id: created.json.id, fullPath: `grp/${name}`, wc };
}

export async function push(t: TestServer, p: Project): Promise<void> {
  await git(p.wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, p.fullPath), 'main']);
}

export async function registerRunner(t: TestServer, opts: { tags?: string[]; runUntagged?: boolean; description?: string } = {}): Promise<string> {
  const tags = opts.tags ?? [];
  const reg = await t.api('POST', '/api/v4/runners', {
    token: t.registrationToken, description: opts.description ?? 'e2e', tag_list: tags.join(','), run_untagged: opts.runUntagged ?? tags.length === 0,
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  return reg.json.token as string;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export function startRunner(args: string[], cwd: string): RunnerProcess {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` first');
  const child = spawn(process.execPath, [CLI, 'runner', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child, exited, stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function writeConfig(dir: string, text: string): Promise<string> {
  const file = path.join(dir, 'config.toml');
  await writeFile(file, text);
  return file;
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs` with `describe()`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string | Promise<string>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface JobView { id: number; name: string; status: string; failure_reason?: string }

export async function pipelineJobs(t: TestServer, projectId: number): Promise<{ pipeline: { id: number; status: string }; jobs: JobView[] } | undefined> {
  const list = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`);
  const pipeline = list.json?.[0];
  if (!pipeline) return undefined;
  const jobs = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/jobs`);
  return { pipeline, jobs: jobs.json };
}

/** Waits until the newest pipeline reaches a final status. */
export async function waitForPipeline(t: TestServer, projectId: number, timeoutMs: number, runner?: RunnerProcess): Promise<{ pipeline: { id: number; status: string }; jobs: JobView[] }> {
  return waitFor(async () => {
    const p = await pipelineJobs(t, projectId);
    return p && ['success', 'failed', 'canceled'].includes(p.pipeline.status) ? p : undefined;
  }, timeoutMs, async () => `pipeline did not finish: ${JSON.stringify(await pipelineJobs(t, projectId))}\n${runner?.stderr() ?? ''}`);
}

export async function jobTrace(t: TestServer, projectId: number, jobId: number): Promise<string> {
  return (await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${jobId}/trace`)).text;
}

export async function cleanup(...dirs: Array<string | undefined>): Promise<void> {
  for (const d of dirs) if (d) await rm(d, { recursive: true, force: true });
}

export { startTestServer, type TestServer };
