// Support for the coordinator tests: a server on 127.0.0.1:0 with a temp data dir, a git working
// copy to push from, and a client that speaks to the API exactly as gitlab-runner and people do.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/app.js';

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

export { authedUrl, commitFiles, git, jobRequestBody, workingCopy } from './helpers/server-protocol.js';
