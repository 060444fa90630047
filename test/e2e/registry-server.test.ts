// The coordinator's built-in registry with the real docker CLI and engine: /v2/ on the server's
// port with token auth whose realm is /jwt/auth; docker login with a personal access token and
// with gitlab-ci-token + a running job's token; push, pull, delete; GitLab's job-token rules
// (own project push, public pull, nothing else); tampered/expired tokens refused; CI_REGISTRY*
// in the job payload; GitLab's container registry REST API.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRegistryToken } from '../../src/registry/index.js';
import { skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const run = promisify(execFile);
const skip = skipWithoutDocker();

const CI = 'build:\n  image: docker:20.10.16\n  script:\n    - docker info\n';

describe.skipIf(skip)('drydock server: built-in container registry', () => {
  let t: TestServer;
  let host: string;
  let dockerConfig: string;
  let jobToken: string;
  let jobId: number;
  let variables: Map<string, { value: string; masked: boolean; public: boolean }>;
  const tagged: string[] = [];

  async function docker(args: string[], input?: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const child = execFile('docker', ['--config', dockerConfig, ...args], { timeout: 150_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }
  async function tag(source: string, target: string): Promise<void> {
    await run('docker', ['tag', source, target]);
    tagged.push(target);
  }
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  async function token(scopes: string[], headers: Record<string, string>): Promise<{ status: number; json: any }> {
    const q = new URLSearchParams([['service', 'container_registry'], ...scopes.map((s) => ['scope', s] as [string, string])]);
    const res = await fetch(`${t.url}/jwt/auth?${q}`, { headers });
    return { status: res.status, json: await res.json() };
  }

  beforeAll(async () => {
    t = await startTestServer();
    host = new URL(t.url).host;
    dockerConfig = await mkdtemp(path.join(os.tmpdir(), 'drydock-docker-config-'));
    for (const [name, namespace, visibility] of [['app', 'grp', 'private'], ['other', 'grp', 'private'], ['lib', 'pub', 'public']]) {
      expect((await t.admin('POST', '/api/v4/projects', { name, namespace, visibility })).status).toBe(201);
    }
    const wc = await workingCopy({ '.gitlab-ci.yml': CI });
    await git(wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/app'), 'main']);
    await rm(wc, { recursive: true, force: true });
    const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken, run_untagged: true });
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(reg.json.token));
    expect(req.status).toBe(201);
    jobToken = req.json.token;
    jobId = req.json.id;
    variables = new Map(req.json.variables.map((v: { key: string }) => [v.key, v]));
  }, 60_000);

  afterAll(async () => {
    for (const ref of tagged) await run('docker', ['image', 'rm', '-f', ref]).catch(() => undefined);
    await rm(dockerConfig, { recursive: true, force: true }).catch(() => undefined);
    await t?.close();
  });

  it('puts CI_REGISTRY, CI_REGISTRY_IMAGE, CI_REGISTRY_USER and a masked CI_REGISTRY_PASSWORD into the job', () => {
    expect(variables.get('CI_REGISTRY')?.value).toBe(host);
    expect(variables.get('CI_REGISTRY_IMAGE')?.value).toBe(`${host}/grp/app`);
    expect(variables.get('CI_REGISTRY_USER')?.value).toBe('gitlab-ci-token');
    expect(variables.get('CI_REGISTRY_PASSWORD')).toMatchObject({ value: jobToken, masked: true, public: false });
  });

  it('challenges an anonymous request with a Bearer realm at /jwt/auth and keeps the key private', async () => {
    const res = await fetch(`${t.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${t.url}/jwt/auth",service="container_registry"`);
    const push = await fetch(`${t.url}/v2/grp/app/blobs/uploads/`, { method: 'POST' });
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain('scope="repository:grp/app:pull,push"');
    expect(await push.json()).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
    expect((await stat(path.join(t.dataDir, 'registry-token', 'token-signing-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('grants scopes by GitLab rules: job token own project push, public pull, nothing else', async () => {
    const job = basic('gitlab-ci-token', jobToken);
    const r = await token(['repository:grp/app:pull,push', 'repository:grp/app/cache:push', 'repository:grp/other:pull,push', 'repository:pub/lib:pull,push', 'repository:nope/x:pull', 'repository:grp/app/a/b/c:pull'], job);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ expires_in: 300, issued_at: expect.any(String) });
    expect(r.json.access_token).toBe(r.json.token);
    const claims = decodeJwt(r.json.token);
    expect(claims).toMatchObject({ iss: 'gitlab-issuer', aud: 'container_registry', sub: 'gitlab-ci-token', auth_type: 'build' });
    expect((claims.access as Array<{ name: string; actions: string[] }>).map((a) => `${a.name}:${a.actions.join(',')}`))
      .toEqual(['grp/app:pull,push', 'grp/app/cache:push', 'pub/lib:pull']);
    const user = await token(['repository:grp/other:pull,push', 'registry:catalog:*'], basic('whoever', t.adminToken));
    expect((decodeJwt(user.json.token).access as unknown[]).length).toBe(2);
    const anon = await token(['repository:pub/lib:pull,push', 'repository:grp/app:pull'], {});
    expect(decodeJwt(anon.json.token).access).toEqual([{ type: 'repository', name: 'pub/lib', actions: ['pull'], meta: expect.any(Object) }]);
    expect((await token(['repository:grp/app:pull'], basic('gitlab-ci-token', 'glcbt-wrong'))).status).toBe(401);
    expect((await token(['repository:grp/app:pull'], basic('root', 'wrong'))).status).toBe(401);
    expect((await fetch(`${t.url}/jwt/auth?service=other&scope=repository:grp/app:pull`)).status).toBe(404);
  });

  it('docker login with a personal access token, push, pull back, with the same image ID', async () => {
    const login = await docker(['login', '-u', 'root', '--password-stdin', host], t.adminToken);
    expect(login.out).toContain('Login Succeeded');
    const ref = `${host}/grp/app:1`;
    await tag('busybox:latest', ref);
    const pushed = await docker(['push', ref]);
    expect(pushed.code, pushed.out).toBe(0);
    await run('docker', ['image', 'rm', ref]);
    const pulled = await docker(['pull', ref]);
    expect(pulled.code, pulled.out).toBe(0);
    const ids = await Promise.all([ref, 'busybox:latest'].map(async (r) => (await run('docker', ['image', 'inspect', '-f', '{{.Id}}', r])).stdout.trim()));
    expect(ids[0]).toBe(ids[1]);
    await tag('busybox:latest', `${host}/pub/lib:1`);
    expect((await docker(['push', `${host}/pub/lib:1`])).code).toBe(0);
    // A path under no project is refused: registry paths start with an existing project.
    await tag('busybox:latest', `${host}/nogroup/x:1`);
    const orphan = await docker(['push', `${host}/nogroup/x:1`]);
    expect(orphan.code).not.toBe(0);
  });

  it('docker login with gitlab-ci-token: push to its project, pull public, no push elsewhere', async () => {
    await docker(['logout', host]);
    const login = await docker(['login', '-u', 'gitlab-ci-token', '--password-stdin', host], jobToken);
    expect(login.out).toContain('Login Succeeded');
    await tag('alpine:3.12', `${host}/grp/app/sub:2`);
    const own = await docker(['push', `${host}/grp/app/sub:2`]);
    expect(own.code, own.out).toBe(0);
    await tag('alpine:3.12', `${host}/grp/other:1`);
    const foreign = await docker(['push', `${host}/grp/other:1`]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.out).toMatch(/denied|unauthorized|authentication required/i);
    await run('docker', ['image', 'rm', `${host}/pub/lib:1`]).catch(() => undefined);
    const pub = await docker(['pull', `${host}/pub/lib:1`]);
    expect(pub.code, pub.out).toBe(0);
    const login2 = await docker(['login', '-u', 'gitlab-ci-token', '--password-stdin', host], 'glcbt-not-a-token');
    expect(login2.code).not.toBe(0);
  });

  it('refuses tampered and expired tokens with invalid_token', async () => {
    const good = await token(['repository:grp/app:pull'], basic('root', t.adminToken));
    const ok = await fetch(`${t.url}/v2/grp/app/tags/list`, { headers: { authorization: `Bearer ${good.json.token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: 'grp/app', tags: ['1'] });
    const [h, , s] = good.json.token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...decodeJwt(good.json.token), access: [{ type: 'repository', name: 'grp/other', actions: ['pull', 'push'] }] })).toString('base64url');
    const tampered = await fetch(`${t.url}/v2/grp/other/tags/list`, { headers: { authorization: `Bearer ${h}.${widened}.${s}` } });
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const { readFile } = await import('node:fs/promises');
    const key = await readFile(path.join(t.dataDir, 'registry-token', 'token-signing-key.pem'), 'utf8');
    const expired = await issueRegistryToken({ privateKey: key, issuer: 'gitlab-issuer', audience: 'container_registry', access: [{ type: 'repository', name: 'grp/app', actions: ['pull'] }], now: new Date(Date.now() - 3600_000) });
    const old = await fetch(`${t.url}/v2/grp/app/tags/list`, { headers: { authorization: `Bearer ${expired.token}` } });
    expect(old.status).toBe(401);
    expect(old.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // fetch() would resolve `..` itself: send the raw path.
    const traversal = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(t.url);
      http.get({ host: u.hostname, port: u.port, path: '/v2/grp/app/../other/tags/list', headers: { authorization: `Bearer ${good.json.token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(traversal.status).toBe(400);
    expect(JSON.parse(traversal.body)).toMatchObject({ errors: [{ code: 'NAME_INVALID' }] });
  });

  it('serves GitLab\'s container registry REST API: list, tags, tag details, delete tag and repository', async () => {
    const list = await t.admin('GET', '/api/v4/projects/grp%2Fapp/registry/repositories?tags=true&tags_count=true');
    expect(list.status).toBe(200);
    expect(list.json).toEqual([
      expect.objectContaining({ name: '', path: 'grp/app', location: `${host}/grp/app`, tags_count: 1, tags: [{ name: '1', path: 'grp/app:1', location: `${host}/grp/app:1` }] }),
      expect.objectContaining({ name: 'sub', path: 'grp/app/sub', tags_count: 1, project_id: list.json[0].project_id }),
    ]);
    const sub = list.json[1].id as number;
    const tags = await t.admin('GET', `/api/v4/projects/grp%2Fapp/registry/repositories/${sub}/tags`);
    expect(tags.json).toEqual([{ name: '2', path: 'grp/app/sub:2', location: `${host}/grp/app/sub:2` }]);
    const detail = await t.admin('GET', `/api/v4/projects/grp%2Fapp/registry/repositories/${sub}/tags/2`);
    expect(detail.json).toMatchObject({ name: '2', digest: expect.stringMatching(/^sha256:/), revision: expect.stringMatching(/^[0-9a-f]{64}$/), total_size: expect.any(Number) });
    expect(detail.json.short_revision).toBe(detail.json.revision.slice(0, 9));
    expect((await t.admin('GET', `/api/v4/registry/repositories/${sub}`)).json.path).toBe('grp/app/sub');
    expect((await t.api('GET', '/api/v4/projects/grp%2Fapp/registry/repositories')).status).toBe(401);
    expect((await t.admin('DELETE', `/api/v4/projects/grp%2Fapp/registry/repositories/${sub}/tags/2`)).status).toBe(200);
    expect((await t.admin('GET', `/api/v4/projects/grp%2Fapp/registry/repositories/${sub}/tags/2`)).status).toBe(404);
    expect((await t.admin('DELETE', `/api/v4/projects/grp%2Fapp/registry/repositories/${list.json[0].id}`)).status).toBe(202);
    const after = await t.admin('GET', '/api/v4/projects/grp%2Fapp/registry/repositories');
    expect(after.json.map((r: { path: string }) => r.path)).not.toContain('grp/app');
  });

  it('stops honouring the job token once the job is finished', async () => {
    const done = await t.api('PUT', `/api/v4/jobs/${jobId}`, { token: jobToken, state: 'success' });
    expect(done.status).toBe(200);
    expect((await token(['repository:grp/app:pull'], basic('gitlab-ci-token', jobToken))).status).toBe(401);
  });
});
