// Job payload `credentials` (GitLab's Ci::Build#credentials): with the registry on, every job
// payload carries `{type: "registry", url: CI_REGISTRY, username: "gitlab-ci-token", password:
// <job token>}`, and those credentials get a pull token for the job's project at /jwt/auth.
// The second part: a private project's job whose `image:` was pushed to the built-in registry runs
// under `drydock runner run`, pulled with the payload's credentials (the runner offers them as
// DOCKER_AUTH_CONFIG when the job and runner define none).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { jobLog, registerCliRunner, startCliServer, waitForCliPipeline } from './registry-runner-kit.js';
import { createProject, push, registerRunner, startRunner, startTestServer, type TestServer } from './runner-run-kit.js';
import { authedUrl, git, jobRequestBody, workingCopy } from './server-kit.js';

describe('job payload registry credentials', () => {
  let t: TestServer;
  afterAll(() => t?.close());

  it('carries gitlab-ci-token + the job token for CI_REGISTRY, usable for a pull token of the project', async () => {
    t = await startTestServer();
    const p = await createProject(t, 'creds', { '.gitlab-ci.yml': 'job:\n  image: busybox\n  script: [echo]\n' });
    await push(t, p);
    const runnerToken = await registerRunner(t);
    const res = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(res.status).toBe(201);
    const host = new URL(t.url).host;
    expect(res.json.credentials).toEqual([{ type: 'registry', url: host, username: 'gitlab-ci-token', password: res.json.token }]);
    expect(res.json.variables).toContainEqual(expect.objectContaining({ key: 'CI_REGISTRY', value: host }));

    const [cred] = res.json.credentials as Array<{ username: string; password: string }>;
    const basic = Buffer.from(`${cred!.username}:${cred!.password}`).toString('base64');
    const auth = await fetch(`${t.url}/jwt/auth?service=container_registry&scope=repository:grp/creds:pull`, { headers: { authorization: `Basic ${basic}` } });
    expect(auth.status).toBe(200);
    const claims = decodeJwt(((await auth.json()) as { token: string }).token) as { access: Array<{ name: string; actions: string[] }> };
    expect(claims.access).toEqual([expect.objectContaining({ name: 'grp/creds', actions: ['pull'] })]);
  });

  it('has no credentials when the registry is off', async () => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'drydock-noreg-'));
    const { startServer } = await import('../../src/server/app.js');
    const server = await startServer({ dataDir: data, port: 0, logLevel: 'silent', longPollSeconds: 0, registry: { enabled: false } });
    try {
      const admin = server.credentials!.admin_token;
      await fetch(`${server.url}/api/v4/projects`, { method: 'POST', headers: { 'PRIVATE-TOKEN': admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'off', namespace: 'grp' }) });
      const wc = await workingCopy({ '.gitlab-ci.yml': 'job:\n  script: [echo]\n' });
      await git(wc, ['push', '--quiet', authedUrl(server.url, 'x', admin, 'grp/off'), 'main']);
      await rm(wc, { recursive: true, force: true });
      const reg = await (await fetch(`${server.url}/api/v4/runners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.credentials!.runner_registration_token }) })).json() as { token: string };
      const job = await (await fetch(`${server.url}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jobRequestBody(reg.token)) })).json() as { credentials: unknown[] };
      expect(job.credentials).toEqual([]);
    } finally {
      await server.close();
      await rm(data, { recursive: true, force: true });
    }
  });
});

// The host's dockerd pulls job images: it allows plain HTTP only to 127.0.0.0/8, so this server's
// registry (CI_REGISTRY, and the credentials' url) is 127.0.0.1:PORT. No dind here.
describe.skipIf(skipWithoutDocker())('a private project\'s job image from the built-in registry (drydock runner run)', () => {
  it('pulls image: with the payload credentials and runs the job in it', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'drydock-private-image-'));
    const server = await startCliServer(path.join(work, 'data'), '127.0.0.1');
    const host = new URL(server.url).host;
    const image = `${host}/grp/private/tool:1`;
    const dockerConfig = path.join(work, 'docker-config');
    let runner: ReturnType<typeof startRunner> | undefined;
    try {
      const created = await server.api('POST', '/api/v4/projects', { name: 'private', namespace: 'grp', visibility: 'private' });
      expect(created.status).toBe(201);
      // Push the job image as a user (PAT), then forget it locally so the runner must pull it.
      await writeFile(path.join(work, 'Dockerfile'), 'FROM busybox:latest\nRUN echo "from the private registry" > /marker\n');
      execFileSync('docker', ['build', '-q', '-t', image, work], { stdio: 'ignore' });
      execFileSync('docker', ['--config', dockerConfig, 'login', '-u', 'root', '--password-stdin', host], { input: server.adminToken, stdio: ['pipe', 'ignore', 'pipe'] });
      execFileSync('docker', ['--config', dockerConfig, 'push', image], { stdio: 'ignore' });
      execFileSync('docker', ['rmi', image], { stdio: 'ignore' });
      // Anonymous pulls of a private project's image are refused: only the payload credentials can work.
      expect(() => execFileSync('docker', ['pull', image], { stdio: 'pipe' })).toThrow();

      const config = path.join(work, 'config.toml');
      registerCliRunner(config, server, ['--name', 'private-image', '--executor', 'docker', '--docker-image', 'busybox:latest', '--docker-pull-policy', 'if-not-present']);
      runner = startRunner(['run', '-c', config, '--working-directory', work], work);
      const wc = await workingCopy({ '.gitlab-ci.yml': `job:\n  image: ${image}\n  script:\n    - cat /marker\n` });
      await git(wc, ['push', '--quiet', authedUrl(server.local, 'dev', server.adminToken, 'grp/private'), 'main']);
      await rm(wc, { recursive: true, force: true });
      const done = await waitForCliPipeline(server, created.json.id as number, 0, 180_000, () => runner?.stderr() ?? '');
      const log = await jobLog(server, created.json.id as number, done.jobs[0]!.id);
      expect(done.pipeline.status, `${log}\n${runner.stderr()}`).toBe('success');
      expect(log).toContain('Authenticating with credentials from $DOCKER_AUTH_CONFIG'); // the payload's, as the job defines none
      expect(log).toContain('from the private registry');
    } finally {
      expect(await runner?.stop('SIGTERM')).toBe(0);
      await server.stop();
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
      await rm(work, { recursive: true, force: true });
      expect(leftovers()).toEqual([]);
    }
  }, 300_000);
});
