// The built-in registry used by jobs that `drydock runner run` takes from `drydock server`, all real
// processes (server, `runner register`, `runner run`, git push, docker engine, TLS docker:dind):
// 1. the document's caching pipeline: docker login with CI_REGISTRY_USER/PASSWORD, pull latest
//    || true, build --cache-from, push both tags; both tags are in the registry (REST API) and the
//    second pipeline builds from the pulled cache;
// 2. GitLab's Docker.gitlab-ci.yml template shape (login, build --pull, push, tag latest on the
//    default branch, rules: exists Dockerfile);
// 3. B2: `drydock server --registry-mirror-upstream` serves a pull-through mirror on its own port,
//    used by a dind service's --registry-mirror.
// The dind services reach the server's plain-HTTP registry because the docker executor adds
// `--insecure-registry $CI_REGISTRY` to them (CI_SERVER_URL is http://).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { CLI } from './helpers/run-cli.js';
import { hostIp, jobLog, registerCliRunner, startCliServer, waitForCliPipeline, type CliServer } from './registry-runner-kit.js';
import { startRunner, waitFor, type RunnerProcess } from './runner-run-kit.js';
import { authedUrl, commitFiles, git, workingCopy } from './server-kit.js';

const skip = skipWithoutDocker();
const HOST = skip ? '127.0.0.1' : hostIp();

// The document's caching job (TLS dind, docker:20.10.16), verbatim apart from the image tag names.
const CACHING_PIPELINE = `image: docker:20.10.16

services:
  - docker:20.10.16-dind

variables:
  DOCKER_HOST: tcp://docker:2376
  DOCKER_TLS_CERTDIR: "/certs"
  DOCKER_TLS_VERIFY: 1
  DOCKER_CERT_PATH: "$DOCKER_TLS_CERTDIR/client"

before_script:
  - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY

build:
  stage: build
  script:
    - docker pull $CI_REGISTRY_IMAGE:latest || true
    - docker build --cache-from $CI_REGISTRY_IMAGE:latest --tag $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA --tag $CI_REGISTRY_IMAGE:latest .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
    - docker push $CI_REGISTRY_IMAGE:latest
`;

// GitLab's lib/gitlab/ci/templates/Docker.gitlab-ci.yml, with the images this machine has
// (docker:cli / docker:dind → docker:20.10.16 / docker:20.10.16-dind) and the TLS variables of
// the document, since the runner shares /certs/client instead of relying on docker's entrypoint.
const DOCKER_TEMPLATE = `docker-build:
  image: docker:20.10.16
  stage: build
  services:
    - docker:20.10.16-dind
  variables:
    DOCKER_IMAGE_NAME: $CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG
    DOCKER_HOST: tcp://docker:2376
    DOCKER_TLS_CERTDIR: "/certs"
    DOCKER_TLS_VERIFY: 1
    DOCKER_CERT_PATH: "$DOCKER_TLS_CERTDIR/client"
  before_script:
    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY
  script:
    - docker build --pull -t "$DOCKER_IMAGE_NAME" .
    - docker push "$DOCKER_IMAGE_NAME"
    - |
      if [[ "$CI_COMMIT_BRANCH" == "$CI_DEFAULT_BRANCH" ]]; then
        docker tag "$DOCKER_IMAGE_NAME" "$CI_REGISTRY_IMAGE:latest"
        docker push "$CI_REGISTRY_IMAGE:latest"
      fi
  rules:
    - if: $CI_COMMIT_BRANCH
      exists:
        - Dockerfile
`;

// A build whose RUN step is the "expensive" one the cache must skip the second time.
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox echo expensive step > /built"]
COPY script /script
`;

let server: CliServer;
let upstream: { child: ChildProcess; port: number; out: () => string } | undefined;
let runner: RunnerProcess | undefined;
const dirs: string[] = [];

async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** `drydock registry serve` (no auth): the mirror's upstream, holding library/busybox. */
async function startUpstream(): Promise<{ child: ChildProcess; port: number; out: () => string }> {
  const child = spawn(process.execPath, [CLI, 'registry', 'serve', '--port', '0', '--host', '127.0.0.1', '--data', await tmp('drydock-upstream-')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const port = await waitFor(async () => {
    const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
    return m?.[1] ? Number(m[1]) : undefined;
  }, 20_000, () => out);
  return { child, port, out: () => out };
}

/** A project with `files` plus the build context (static busybox, a script) pushed over git. */
async function pushProject(name: string, files: Record<string, string>): Promise<{ id: number; wc: string }> {
  const created = await server.api('POST', '/api/v4/projects', { name, namespace: 'grp', visibility: 'private' });
  if (created.status !== 201) throw new Error(`project: ${created.status} ${created.text}`);
  const wc = await workingCopy({ ...files, 'script': '#!/bin/busybox sh\necho built\n' });
  dirs.push(wc);
  await copyFile('/bin/busybox', path.join(wc, 'busybox'));
  await chmod(path.join(wc, 'script'), 0o755);
  await git(wc, ['add', '-A']);
  await git(wc, ['commit', '--quiet', '-m', 'build context']);
  await git(wc, ['push', '--quiet', authedUrl(server.local, 'dev', server.adminToken, `grp/${name}`), 'main']);
  return { id: created.json.id as number, wc };
}

async function tagsOf(projectId: number): Promise<string[]> {
  const res = await server.api('GET', `/api/v4/projects/${projectId}/registry/repositories?tags=true`);
  return ((res.json as Array<{ tags?: Array<{ name: string }> }>)[0]?.tags ?? []).map((t) => t.name).sort();
}

const describeLogs = () => `runner:\n${runner?.stderr() ?? ''}\nserver:\n${server.output()}`;

beforeAll(async () => {
  if (skip) return;
  upstream = await startUpstream();
  const ref = `127.0.0.1:${upstream.port}/library/busybox:latest`;
  execFileSync('docker', ['tag', 'busybox:latest', ref]);
  execFileSync('docker', ['push', ref], { stdio: 'ignore' });
  execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });

  server = await startCliServer(await tmp('drydock-registry-runner-'), HOST, [
    '--registry-mirror-upstream', `http://127.0.0.1:${upstream.port}`, '--registry-mirror-port', '0',
  ]);
  const work = await tmp('drydock-registry-runner-work-');
  const config = path.join(work, 'config.toml');
  registerCliRunner(config, server, [
    '--name', 'registry-e2e', '--executor', 'docker', '--docker-image', 'docker:20.10.16', '--docker-privileged',
    '--docker-volumes', '/certs/client', '--docker-pull-policy', 'if-not-present',
  ]);
  runner = startRunner(['run', '-c', config, '--working-directory', work], work);
}, 120_000);

afterAll(async () => {
  if (skip) return;
  const code = await runner?.stop('SIGTERM');
  await server?.stop();
  upstream?.child.kill('SIGTERM');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  expect(code).toBe(0);
  expect(leftovers()).toEqual([]);
});

describe.skipIf(skip)('the built-in registry from jobs of drydock runner run', () => {
  it('runs the document\'s caching pipeline twice: both tags pushed, the second build hits the pulled cache', async () => {
    const p = await pushProject('app', { '.gitlab-ci.yml': CACHING_PIPELINE, Dockerfile: DOCKERFILE });
    const first = await waitForCliPipeline(server, p.id, 0, 300_000, describeLogs);
    const firstLog = await jobLog(server, p.id, first.jobs[0]!.id);
    expect(first.pipeline.status, `${firstLog}\n${describeLogs()}`).toBe('success');
    expect(firstLog).toContain('Login Succeeded');
    expect(firstLog).not.toMatch(/Using cache|CACHED/); // nothing to pull yet: a cold build
    expect(await tagsOf(p.id)).toEqual([first.pipeline.sha, 'latest'].sort());

    // A commit that leaves the build context alone: new SHA tag, every build step from the cache.
    await commitFiles(p.wc, { 'README.md': 'docs only\n' }, 'docs');
    await git(p.wc, ['push', '--quiet', authedUrl(server.local, 'dev', server.adminToken, 'grp/app'), 'main']);
    const second = await waitForCliPipeline(server, p.id, first.pipeline.id, 300_000, describeLogs);
    const secondLog = await jobLog(server, p.id, second.jobs[0]!.id);
    expect(second.pipeline.status, `${secondLog}\n${describeLogs()}`).toBe('success');
    const build = secondLog.slice(secondLog.indexOf('docker pull'));
    expect(build).toMatch(/Pull complete|Downloaded newer image/);
    expect(build).toMatch(/Using cache|CACHED/);
    expect(build).not.toContain('Running in'); // the RUN step was not executed again
    expect(await tagsOf(p.id)).toEqual([first.pipeline.sha, second.pipeline.sha, 'latest'].sort());
  }, 700_000);

  it('runs GitLab\'s Docker.gitlab-ci.yml template shape: login, build, push the ref slug and latest', async () => {
    const p = await pushProject('templated', { '.gitlab-ci.yml': DOCKER_TEMPLATE, Dockerfile: DOCKERFILE });
    const done = await waitForCliPipeline(server, p.id, 0, 300_000, describeLogs);
    const log = await jobLog(server, p.id, done.jobs[0]!.id);
    expect(done.pipeline.status, `${log}\n${describeLogs()}`).toBe('success');
    expect(done.jobs.map((j) => j.name)).toEqual(['docker-build']);
    expect(log).toContain('Login Succeeded');
    expect(await tagsOf(p.id)).toEqual(['latest', 'main']);
  }, 400_000);

  it('B2: the server\'s --registry-mirror-upstream listener serves dind\'s --registry-mirror from its upstream', async () => {
    const mirrorUrl = /registry mirror listening on (http:\/\/\S+)/.exec(server.output())?.[1]?.replace('0.0.0.0', HOST);
    expect(mirrorUrl, server.output()).toBeDefined();
    const ci = `image: docker:20.10.16
services:
  - name: docker:20.10.16-dind
    command: ["--registry-mirror", "${mirrorUrl}"]
variables:
  DOCKER_HOST: tcp://docker:2376
  DOCKER_TLS_CERTDIR: "/certs"
  DOCKER_TLS_VERIFY: 1
  DOCKER_CERT_PATH: "$DOCKER_TLS_CERTDIR/client"
mirrored:
  script:
    - docker info --format "mirrors={{.RegistryConfig.Mirrors}}"
    - docker pull busybox:latest
    - docker run --rm busybox:latest echo pulled-through-the-mirror
`;
    const p = await pushProject('mirrored', { '.gitlab-ci.yml': ci, Dockerfile: DOCKERFILE });
    const done = await waitForCliPipeline(server, p.id, 0, 300_000, describeLogs);
    const log = await jobLog(server, p.id, done.jobs[0]!.id);
    expect(done.pipeline.status, `${log}\n${describeLogs()}`).toBe('success');
    expect(log).toContain(`mirrors=[${mirrorUrl}/]`);
    expect(log).toContain('pulled-through-the-mirror');
    expect(server.output()).toContain('mirror: cached manifest library/busybox:latest');
    expect(server.output()).toMatch(/mirror: cached blob library\/busybox@sha256:/);
    // The mirror is pull-only: it is not a way to write into the server's registry.
    const push = await fetch(`${mirrorUrl!.replace(HOST, '127.0.0.1')}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
    expect(push.status).toBeGreaterThanOrEqual(400);
  }, 400_000);
});
