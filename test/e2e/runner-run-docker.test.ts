// `drydock runner run` with the docker executor against a real coordinator: the source document's
// TLS Docker-in-Docker job (docker:20.10.16 + docker:20.10.16-dind, DOCKER_TLS_CERTDIR=/certs,
// privileged, volumes /certs/client and /cache) builds and runs an image, and so does socket binding.
// Two [[runners]] entries of one config.toml, told apart by tags. Nothing may be left behind.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { REPO_ROOT } from './helpers/run-cli.js';
import {
  cleanup, createProject, jobTrace, push, registerRunner, startRunner, startTestServer, tempDir, waitForPipeline, writeConfig,
  type Project, type RunnerProcess, type TestServer,
} from './runner-run-kit.js';
import { git } from './server-kit.js';

const skip = skipWithoutDocker();
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'docker-build');
const SOCKET_TAG = `drydock-runner-e2e-${process.pid}`;

let t: TestServer;
let work: string;
let runner: RunnerProcess | undefined;
const projects: Project[] = [];

/** A project with the example's Dockerfile, test script and a static busybox, plus `ci` as .gitlab-ci.yml. */
async function dockerProject(name: string, ci: string): Promise<Project> {
  const p = await createProject(t, name, {
    '.gitlab-ci.yml': ci,
    Dockerfile: await readFile(path.join(EXAMPLE, 'Dockerfile'), 'utf8'),
    'script/to/run/tests': await readFile(path.join(EXAMPLE, 'script/to/run/tests'), 'utf8'),
  });
  projects.push(p);
  await copyFile('/bin/busybox', path.join(p.wc, 'busybox'));
  await chmod(path.join(p.wc, 'script/to/run/tests'), 0o755);
  await git(p.wc, ['add', '-A']);
  await git(p.wc, ['commit', '--quiet', '-m', 'image sources']);
  return p;
}

beforeAll(async () => {
  if (skip) return;
  t = await startTestServer({ longPollSeconds: 5 });
  work = await tempDir('drydock-runner-docker-');
  const dindToken = await registerRunner(t, { description: 'dind' });
  const socketToken = await registerRunner(t, { tags: ['socket'], runUntagged: false, description: 'socket' });
  const config = await writeConfig(work, `concurrent = 2
check_interval = 1

[[runners]]
  name = "dind-tls"
  url = "${t.url}"
  token = "${dindToken}"
  executor = "docker"
  [runners.docker]
    tls_verify = false
    image = "docker:20.10.16"
    privileged = true
    disable_cache = false
    volumes = ["/certs/client", "/cache"]
    pull_policy = ["if-not-present"]

[[runners]]
  name = "socket-binding"
  url = "${t.url}"
  token = "${socketToken}"
  executor = "docker"
  [runners.docker]
    image = "docker:20.10.16"
    privileged = false
    volumes = ["/var/run/docker.sock:/var/run/docker.sock", "/cache"]
    pull_policy = ["if-not-present"]
`);
  runner = startRunner(['run', '-c', config, '--working-directory', work], work);
});

afterAll(async () => {
  if (skip) return;
  const code = await runner?.stop('SIGTERM');
  execFileSync('sh', ['-c', `docker ps -aq --filter ancestor=${SOCKET_TAG} | xargs -r docker rm -f; docker rmi -f ${SOCKET_TAG} >/dev/null 2>&1 || true`]);
  await t?.close();
  await cleanup(work, ...projects.map((p) => p.wc));
  expect(code).toBe(0);
  expect(leftovers()).toEqual([]);
});

describe.skipIf(skip)('drydock runner run (docker executor)', () => {
  it('runs the document\'s TLS dind job: the image is built and run', async () => {
    const p = await dockerProject('dindapp', await readFile(path.join(EXAMPLE, '.gitlab-ci.yml'), 'utf8'));
    await push(t, p);
    const done = await waitForPipeline(t, p.id, 170_000, runner);
    const build = done.jobs.find((j) => j.name === 'build')!;
    const log = await jobTrace(t, p.id, build.id);
    expect(done.pipeline.status, `${log}\n${runner!.stderr()}`).toBe('success');
    expect(log).toMatch(/Service docker:20\.10\.16-dind is ready/);
    expect(log).toContain('Server Version');
    expect(log).toContain('tests: running in a container of my-docker-image on Linux');
    expect(log).toContain('tests: all passed');
    expect(log).toContain('on dind-tls');
  });

  it('runs a socket-binding job on the runner with the matching tag', async () => {
    const ci = `image: docker:20.10.16
build:
  tags: [socket]
  script:
    - docker build -t ${SOCKET_TAG} .
    - docker run --rm ${SOCKET_TAG} /script/to/run/tests
`;
    const p = await dockerProject('socketapp', ci);
    await push(t, p);
    const done = await waitForPipeline(t, p.id, 120_000, runner);
    const build = done.jobs.find((j) => j.name === 'build')!;
    const log = await jobTrace(t, p.id, build.id);
    expect(done.pipeline.status, `${log}\n${runner!.stderr()}`).toBe('success');
    expect(log).toContain('on socket-binding');
    expect(log).toContain('tests: all passed');
  });
});
