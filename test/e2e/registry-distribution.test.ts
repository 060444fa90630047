// `drydock server` as the token server of an external CNCF distribution registry (Debian's
// docker-registry 2.8) configured with auth.token: realm = our /jwt/auth, issuer and service
// matching, rootcertbundle = the certificate the server wrote beside its signing key. The real
// docker CLI logs in there with a personal access token, pushes and pulls; a job token cannot
// push to another project; without a token the registry challenges with our realm.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const DISTRIBUTION = '/usr/bin/docker-registry';
const skip = skipWithoutDocker() || !existsSync(DISTRIBUTION);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)('external distribution registry trusting drydock server tokens', () => {
  let t: TestServer;
  let dir: string;
  let registry: ChildProcess;
  let host: string;
  let jobToken: string;
  const refs: string[] = [];

  function docker(args: string[], input?: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const child = execFile('docker', ['--config', path.join(dir, 'docker'), ...args], { timeout: 150_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  beforeAll(async () => {
    t = await startTestServer();
    dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-distribution-'));
    for (const name of ['app', 'other']) await t.admin('POST', '/api/v4/projects', { name, namespace: 'grp' });
    const wc = await workingCopy({ '.gitlab-ci.yml': 'job:\n  script: [echo]\n' });
    await git(wc, ['push', '--quiet', authedUrl(t.url, 'x', t.adminToken, 'grp/app'), 'main']);
    await rm(wc, { recursive: true, force: true });
    const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken });
    jobToken = (await t.api('POST', '/api/v4/jobs/request', jobRequestBody(reg.json.token))).json.token;

    const port = await freePort();
    host = `127.0.0.1:${port}`;
    writeFileSync(path.join(dir, 'config.yml'), [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${path.join(dir, 'store')} }, delete: { enabled: true } }`,
      `http: { addr: "${host}" }`,
      'auth:',
      '  token:',
      `    realm: ${t.url}/jwt/auth`,
      '    service: container_registry',
      '    issuer: gitlab-issuer',
      `    rootcertbundle: ${path.join(t.dataDir, 'registry-token', 'token-signing-cert.pem')}`,
      '',
    ].join('\n'));
    registry = spawn(DISTRIBUTION, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://${host}/v2/`).then(() => true, () => false);
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    for (const r of refs) await new Promise((res) => execFile('docker', ['rmi', '-f', r], () => res(undefined)));
    registry?.kill('SIGTERM');
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('challenges with our realm, accepts our tokens for login, push and pull, and enforces job-token scopes', async () => {
    const challenge = await fetch(`http://${host}/v2/`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toBe(`Bearer realm="${t.url}/jwt/auth",service="container_registry"`);

    expect((await docker(['login', '-u', 'root', '--password-stdin', host], t.adminToken)).out).toContain('Login Succeeded');
    const ref = `${host}/grp/app:dist`;
    refs.push(ref);
    await new Promise((res) => execFile('docker', ['tag', 'busybox:latest', ref], res));
    const push = await docker(['push', ref]);
    expect(push.code, push.out).toBe(0);
    await new Promise((res) => execFile('docker', ['rmi', ref], res));
    const pull = await docker(['pull', ref]);
    expect(pull.code, pull.out).toBe(0);

    await docker(['logout', host]);
    expect((await docker(['login', '-u', 'gitlab-ci-token', '--password-stdin', host], jobToken)).out).toContain('Login Succeeded');
    const own = `${host}/grp/app/cache:1`;
    const foreign = `${host}/grp/other:1`;
    refs.push(own, foreign);
    for (const r of [own, foreign]) await new Promise((res) => execFile('docker', ['tag', 'alpine:3.12', r], res));
    const ok = await docker(['push', own]);
    expect(ok.code, ok.out).toBe(0);
    const denied = await docker(['push', foreign]);
    expect(denied.code).toBe(1);
    expect(denied.out).toMatch(/denied|unauthorized|insufficient_scope|authentication required/i);
  });
});
