// Support for the coordinator tests: a server on 127.0.0.1:0 with a temp data dir, a git working
// copy to push from, and a client that speaks to the API exactly as gitlab-runner and people do.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../src/server/app.js';

const execFileAsync = promisify(execFile);

export interface TestServer {
  server: RunningServer;
  url: string;
  adminToken: string;
  registrationToken: string;
  dataDir: string;
  api(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** A request with the admin's PRIVATE-TOKEN. */
  admin(method: string, route: string, body?: unknown): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function startTestServer(opts: { longPollSeconds?: number } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'drydock-server-'));
  const server = await startServer({ dataDir, port: 0, logLevel: 'silent', longPollSeconds: opts.longPollSeconds ?? 0 });
  if (!server.credentials) throw new Error('expected first-start credentials');
  const url = server.url;
  const api = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof Uint8Array || typeof body === 'string') init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${url}${route}`, init);
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  };
  const adminToken = server.credentials.admin_token;
  return {
    server, url, dataDir, adminToken, registrationToken: server.credentials.runner_registration_token, api,
    admin: (method, route, body) => api(method, route, body, { 'PRIVATE-TOKEN': adminToken }),
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function git(cwd: string, args: string[]): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
  return (await execFileAsync('git', args, { cwd, env })).stdout;
}

/** A fresh working copy with `files` committed on main. */
export async function workingCopy(files: Record<string, string>, message = 'initial commit'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drydock-wc-'));
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await commitFiles(dir, files, message);
  return dir;
}

export async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '--quiet', '-m', message]);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

export function authedUrl(base: string, user: string, token: string, fullPath: string): string {
  const u = new URL(`${base}/${fullPath}.git`);
  u.username = user;
  u.password = token;
  return u.toString();
}

/** gitlab-runner's job request body. */
export function jobRequestBody(token: string, extra: Record<string, unknown> = {}) {
  return {
    token, system_id: 's_0123456789ab',
    info: { name: 'gitlab-runner', version: '17.0.0', revision: 'abcdef12', platform: 'linux', architecture: 'amd64', executor: 'docker',
      features: { variables: true, image: true, services: true, artifacts: true, cache: true, trace_checksum: true, cancel_gracefully: true } },
    ...extra,
  };
}
