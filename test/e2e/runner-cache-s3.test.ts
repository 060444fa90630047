// The distributed S3 cache end to end: `drydock runner register` with the --cache-s3-* flags writes
// [runners.cache.s3], `drydock runner run` (shell executor) uploads a job's cache to a real S3 API
// server (s3rver, in-process on 127.0.0.1) under gitlab-runner's object name, and the next pipeline
// restores it from there.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import {
  cleanup, createProject, jobTrace, push, startRunner, startTestServer, tempDir, waitForPipeline,
  type Project, type RunnerProcess, type TestServer,
} from './runner-run-kit.js';
import { commitFiles } from './server-kit.js';

const CI = `
build:
  cache:
    key: deps-$CI_COMMIT_REF_SLUG
    paths: [deps/]
  script:
    - mkdir -p deps
    - 'if [ -f deps/stamp ]; then echo "cache restored: $(cat deps/stamp)"; else echo "cache empty"; fi'
    - echo "stamp-$CI_COMMIT_SHORT_SHA" > deps/stamp
`;

let t: TestServer;
let s3: S3rver;
let s3Address: string;
let work: string;
let project: Project;
let runner: RunnerProcess | undefined;

beforeAll(async () => {
  t = await startTestServer({ longPollSeconds: 5 });
  work = await tempDir('drydock-runner-s3-');
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(work, 's3'), configureBuckets: [{ name: 'runner-cache' }] });
  s3Address = `127.0.0.1:${(await s3.run()).port}`;
  project = await createProject(t, 's3cache', { '.gitlab-ci.yml': CI });
});

afterAll(async () => {
  await runner?.stop('SIGKILL');
  await s3?.close();
  await t?.close();
  await cleanup(work, project?.wc);
});

async function objectKeys(): Promise<string[]> {
  const xml = await (await fetch(`http://${s3Address}/runner-cache?prefix=ci/`)).text();
  return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1] ?? '');
}

describe('S3 distributed cache through register + run', () => {
  it('uploads the cache to S3 under runner/<short>/project/<id>/<key> and restores it in the next pipeline', async () => {
    const config = path.join(work, 'config.toml');
    const reg = await runCli(['runner', 'register', '-n', '--url', t.url, '-r', t.registrationToken, '--executor', 'shell', '--name', 's3-runner',
      '--cache-type', 's3', '--cache-path', 'ci', '--cache-s3-server-address', s3Address, '--cache-s3-access-key', 'S3RVER',
      '--cache-s3-secret-key', 'S3RVER', '--cache-s3-bucket-name', 'runner-cache', '--cache-s3-insecure', '-c', config], { cwd: work });
    expect(reg.stderr).toBe('');
    expect(reg.code).toBe(0);

    runner = startRunner(['run', '-c', config, '--working-directory', work], work);
    await push(t, project);
    const first = await waitForPipeline(t, project.id, 120_000, runner);
    if (!first.jobs[0]) throw new Error(JSON.stringify((await t.admin('GET', `/api/v4/projects/${project.id}/pipelines/${first.pipeline.id}`)).json));
    const firstLog = await jobTrace(t, project.id, first.jobs[0].id);
    expect(first.pipeline.status, `${firstLog}\n${runner.stderr()}`).toBe('success');
    expect(firstLog).toContain('cache empty');
    expect(firstLog).toContain('Created cache');

    const keys = await objectKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^ci/runner/[A-Za-z0-9_-]{1,9}/project/${project.id}/deps-main`));
    // Nothing went to the local cache directory instead.
    const local = await readdir(path.join(work, 'cache')).catch(() => []);
    expect(local).toEqual([]);

    await commitFiles(project.wc, { 'README.md': 'second\n' }, 'second commit');
    await push(t, project);
    const second = await waitForPipeline(t, project.id, 120_000, runner);
    expect(second.pipeline.id).not.toBe(first.pipeline.id);
    const secondLog = await jobTrace(t, project.id, second.jobs[0]!.id);
    expect(second.pipeline.status, `${secondLog}\n${runner.stderr()}`).toBe('success');
    expect(secondLog).toMatch(/cache restored: stamp-[0-9a-f]{8}/);
  });
});
