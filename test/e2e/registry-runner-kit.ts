// Support for the registry + runner e2e tests: `drydock server` as a real child process listening on
// 0.0.0.0 with the host's IP as external URL (the address job containers AND dockerd inside dind
// services reach: 127.0.0.1 is the container itself, and inside dind dockerd's own docker0 shadows
// the host's 172.17.0.1), runners registered with `drydock runner register`, and `drydock runner run`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { CLI } from './helpers/run-cli.js';
import { waitFor, type JobView } from './runner-run-kit.js';

/** The host's address on its default route. */
export function hostIp(): string {
  const out = execFileSync('ip', ['-4', 'route', 'get', '1.1.1.1']).toString();
  const ip = /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (!ip) throw new Error(`cannot find this host's IP in: ${out}`);
  return ip;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '0.0.0.0', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface CliServer {
  child: ChildProcess;
  /** http://<external host>:port */
  url: string;
  /** http://127.0.0.1:port, for the test's own API calls. */
  local: string;
  adminToken: string;
  registrationToken: string;
  output(): string;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any; text: string }>;
  stop(): Promise<number | null>;
}

/** `drydock server --data DIR --host 0.0.0.0 --port P --external-url http://HOST:P ...extra`, once it prints its tokens. */
export async function startCliServer(data: string, externalHost: string, extra: string[] = []): Promise<CliServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'server', '--data', data, '--host', '0.0.0.0', '--port', String(port), '--external-url', `http://${externalHost}:${port}`,
    '--long-poll', '5', '--log-level', 'warn', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const tokens = await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`drydock server exited ${child.exitCode}: ${out}`);
    const admin = /admin personal token:\s+(\S+)/.exec(out)?.[1];
    const reg = /runner registration token:\s+(\S+)/.exec(out)?.[1];
    return admin && reg ? { admin, reg } : undefined;
  }, 30_000, () => `drydock server did not start: ${out}`);
  const local = `http://127.0.0.1:${port}`;
  const api: CliServer['api'] = async (method, route, body) => {
    const res = await fetch(`${local}${route}`, {
      method, headers: { 'PRIVATE-TOKEN': tokens.admin, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, json, text };
  };
  return {
    child, url: `http://${externalHost}:${port}`, local, adminToken: tokens.admin, registrationToken: tokens.reg, output: () => out, api,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `drydock runner register -n ...` into `config`; throws with its output when it fails. */
export function registerCliRunner(config: string, server: CliServer, args: string[]): string {
  try {
    return execFileSync(process.execPath, [CLI, 'runner', 'register', '-n', '-c', config, '--url', server.url, '--registration-token', server.registrationToken, ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(config) });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`drydock runner register failed: ${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface PipelineView { pipeline: { id: number; status: string; sha: string }; jobs: JobView[] }

/** Waits for a pipeline of the project, newer than `afterId`, to reach a final status. */
export async function waitForCliPipeline(server: CliServer, projectId: number, afterId: number, timeoutMs: number, describe: () => string): Promise<PipelineView> {
  const latest = async (): Promise<PipelineView | undefined> => {
    const list = await server.api('GET', `/api/v4/projects/${projectId}/pipelines`);
    const pipeline = (list.json as Array<PipelineView['pipeline']> | undefined)?.find((p) => p.id > afterId);
    if (!pipeline) return undefined;
    const jobs = await server.api('GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/jobs`);
    return { pipeline, jobs: jobs.json as JobView[] };
  };
  return waitFor(async () => {
    const p = await latest();
    return p && ['success', 'failed', 'canceled'].includes(p.pipeline.status) ? p : undefined;
  }, timeoutMs, async () => `pipeline did not finish: ${JSON.stringify(await latest())}\n${describe()}`);
}

export async function jobLog(server: CliServer, projectId: number, jobId: number): Promise<string> {
  return (await server.api('GET', `/api/v4/projects/${projectId}/jobs/${jobId}/trace`)).text;
}
