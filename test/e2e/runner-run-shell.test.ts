// `drydock runner run` with the shell executor against a real coordinator: a pushed pipeline with
// stages, needs, artifacts and cache runs to success, its logs reach the server, and a second push
// restores the cache. Bad input (unreachable URL, invalid token, bad config.toml) gives clear messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup, createProject, jobTrace, push, registerRunner, startRunner, startTestServer, tempDir, waitFor, waitForPipeline, writeConfig,
  type Project, type RunnerProcess, type TestServer,
} from './runner-run-kit.js';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { commitFiles } from './server-kit.js';

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const CI = `
stages: [build, test, deploy]
variables:
  GREETING: hello
build:
  stage: build
  cache:
    key: deps-$CI_COMMIT_REF_SLUG
    paths: [deps/]
  script:
    - mkdir -p dist deps
    - 'if [ -f deps/stamp ]; then echo "cache restored: $(cat deps/stamp)"; else echo "cache empty"; fi'
    - echo "$CI_COMMIT_SHORT_SHA" > deps/stamp
    - echo "$GREETING from build" > dist/app.txt
    - echo "BUILD_VERSION=1.2.3" > build.env
  artifacts:
    paths: [dist/]
    reports:
      dotenv: build.env
test:
  stage: test
  needs: [build]
  script:
    - cat dist/app.txt
    - test "$(cat dist/app.txt)" = "hello from build"
    - echo "project dir is $CI_PROJECT_DIR"
    - echo "version from dotenv is $BUILD_VERSION"
deploy:
  stage: deploy
  script:
    - echo "deploying $(cat dist/app.txt)"
clone-path:
  stage: test
  needs: []
  variables:
    GIT_CLONE_PATH: $CI_BUILDS_DIR/custom/$CI_CONCURRENT_ID/shellapp
    CI_DEBUG_TRACE: "true"
  script:
    - echo "cloned into $(pwd) = $CI_PROJECT_DIR"
    - test -f README.md
`;

let t: TestServer;
let project: Project;
let work: string;
let runner: RunnerProcess | undefined;

beforeAll(async () => {
  t = await startTestServer({ longPollSeconds: 5 });
  project = await createProject(t, 'shellapp', { '.gitlab-ci.yml': CI, 'README.md': 'hi\n' });
  work = await tempDir('drydock-runner-shell-');
});

afterAll(async () => {
  await runner?.stop('SIGKILL');
  await t?.close();
  await cleanup(work, project?.wc);
});

describe('drydock runner run (shell executor)', () => {
  it('runs a pushed pipeline with stages, needs, artifacts and cache; logs reach the server', async () => {
    const token = await registerRunner(t);
    const config = await writeConfig(work, `concurrent = 2\ncheck_interval = 1\n\n[[runners]]\n  name = "shell-e2e"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n`
      + '  pre_get_sources_script = "echo runner-pre-sources in $(pwd)"\n  post_get_sources_script = "echo runner-post-sources in $(pwd)"\n  pre_build_script = "echo runner-pre-build"\n'
      + '  debug_trace_disabled = true\n  [runners.custom_build_dir]\n    enabled = true\n');
    runner = startRunner(['run', '-c', config, '--working-directory', work], work);
    await push(t, project);
    const first = await waitForPipeline(t, project.id, 120_000, runner);
    expect(first.pipeline.status, `${JSON.stringify(first.jobs)}\n${runner.stderr()}`).toBe('success');
    expect(first.jobs.map((j) => `${j.name}:${j.status}`).sort()).toEqual(['build:success', 'clone-path:success', 'deploy:success', 'test:success']);
    const byName = new Map(first.jobs.map((j) => [j.name, j]));
    const buildLog = await jobTrace(t, project.id, byName.get('build')!.id);
    expect(buildLog).toContain('cache empty');
    expect(buildLog).toContain('Uploading artifacts as "archive" to coordinator');
    expect(buildLog).toContain('Uploading artifacts as "dotenv" to coordinator');
    expect(buildLog).toContain('Job succeeded');
    // config.toml's hooks: around the checkout, and before the job's own script.
    expect(buildLog).toMatch(new RegExp(`runner-pre-sources in ${work}/builds\\S*\\n[^]*runner-post-sources in ${work}/builds/\\S+/shellapp\\n[^]*runner-pre-build\\n`));
    // GIT_CLONE_PATH ([runners.custom_build_dir] enabled): the checkout and CI_PROJECT_DIR move there.
    const clonePathLog = await jobTrace(t, project.id, byName.get('clone-path')!.id);
    expect(clonePathLog).toMatch(new RegExp(`cloned into ${work}/builds/custom/\\d+/shellapp = ${work}/builds/custom/\\d+/shellapp\\n`));
    // debug_trace_disabled: the job asked for CI_DEBUG_TRACE, the runner says no and runs it untraced.
    expect(clonePathLog).toContain('WARNING: CI_DEBUG_TRACE: usage is disabled on this Runner');
    expect(clonePathLog).not.toMatch(/^\+ /m);
    const testLog = await jobTrace(t, project.id, byName.get('test')!.id);
    expect(testLog).toContain('Downloading artifacts for build');
    expect(testLog).toContain(`project dir is ${work}/builds/`);
    expect(testLog).toContain('hello from build');
    // The job token is masked wherever it could appear.
    expect(testLog).not.toMatch(/glcbt-|gitlab-ci-token:[^\[@]+@/);
    const deployLog = await jobTrace(t, project.id, byName.get('deploy')!.id);
    expect(deployLog).toContain('deploying hello from build');

    await commitFiles(project.wc, { 'README.md': 'second\n' }, 'second');
    await push(t, project);
    const second = await waitFor(async () => {
      const p = await waitForPipeline(t, project.id, 120_000, runner);
      return p.pipeline.id !== first.pipeline.id ? p : undefined;
    }, 120_000, () => runner!.stderr());
    expect(second.pipeline.status).toBe('success');
    const build2 = second.jobs.find((j) => j.name === 'build')!;
    expect(await jobTrace(t, project.id, build2.id)).toContain('cache restored:');
  });

  it('stops on SIGTERM after finishing its work, with exit code 0', async () => {
    const code = await runner!.stop('SIGTERM');
    expect(code).toBe(0);
    expect(runner!.stderr()).toContain('SIGTERM received');
    expect(runner!.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack traces
    runner = undefined;
  });

  it('says clearly when the server is unreachable, the token is invalid or the server fails, and keeps running', async () => {
    const closed = await freePort();
    let failures = 0;
    const broken = createHttpServer((_req, res) => { failures++; res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"500 Internal Server Error"}'); });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenUrl = `http://127.0.0.1:${(broken.address() as { port: number }).port}`;
    const config = await writeConfig(work, [
      'concurrent = 1', 'check_interval = 1', '',
      '[[runners]]', '  name = "unreachable"', `  url = "http://127.0.0.1:${closed}"`, '  token = "t1_whatever"', '  executor = "shell"', '',
      '[[runners]]', '  name = "revoked"', `  url = "${t.url}"`, '  token = "t1_not-a-real-token"', '  executor = "shell"', '',
      '[[runners]]', '  name = "broken"', `  url = "${brokenUrl}"`, '  token = "t1_whatever"', '  executor = "shell"', '',
    ].join('\n'));
    const r = startRunner(['run', '-c', config, '--working-directory', work], work);
    try {
      await waitFor(async () => (r.stderr().includes('connection refused') && r.stderr().includes('not valid') && failures >= 2 ? true : undefined), 30_000, () => r.stderr());
      expect(r.stderr()).toContain(`cannot reach http://127.0.0.1:${closed} to request a job: connection refused`);
      expect(r.stderr()).toContain(`the runner token is not valid on ${t.url}: register again`);
      expect(r.stderr()).toContain(`${brokenUrl} failed to request a job (HTTP 500; will retry)`);
      // Repeated failures are retried with back-off but logged once.
      expect(r.stderr().split('HTTP 500').length - 1).toBe(1);
      expect(r.child.exitCode).toBeNull();
    } finally {
      expect(await r.stop('SIGTERM')).toBe(0);
      broken.close();
    }
  });

  it('refuses a config.toml with errors, naming the line', async () => {
    const config = await writeConfig(work, 'concurrent = 1\n[[runners]]\n  name = "x"\n  url = "http://127.0.0.1:9"\n  token = "t"\n  executor = "shell"\n  limitt = 3\n');
    const r = startRunner(['run', '-c', config], work);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toMatch(/config\.toml:7.*limitt/);
  });
});
