// Trigger jobs (bridges) through the coordinator, at the protocol level: a bridge never goes to a
// runner; `trigger: include:` creates a child pipeline (source parent_pipeline, the bridge's
// variables and its dependencies' dotenv values as the child's pipeline variables) whose jobs
// runners take like any other; `strategy: depend` makes the bridge take the child's result; a
// child that cannot be created fails the bridge with downstream_pipeline_creation_failed;
// trigger:project starts a pipeline of another project of this server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const CI = `
stages: [build, child, after]
variables: { VERSION: dev }
build:
  stage: build
  script: [make]
  artifacts: { reports: { dotenv: build.env } }
depend child:
  stage: child
  variables: { IMAGE: "app:$VERSION" }
  trigger: { include: ci/child.yml, strategy: depend }
fire and forget:
  stage: child
  trigger: { include: [{ local: ci/child.yml }] }
multi project:
  stage: child
  trigger: { project: other/project }
  allow_failure: true
after:
  stage: after
  script: [echo after]
`;

const CHILD = `
child job:
  script: [echo "$IMAGE"]
`;

interface Payload { id: number; token: string; job_info: { name: string; pipeline_id: number }; variables: Array<{ key: string; value: string }> }
interface ApiJob { id: number; name: string; status: string; failure_reason?: string; pipeline: { id: number }; downstream_pipeline?: { id: number; status: string; source: string } | null }

let t: TestServer;
let wc: string;
let runnerToken: string;
let projectId: number;

beforeAll(async () => {
  t = await startTestServer();
  projectId = (await t.admin('POST', '/api/v4/projects', { name: 'bridges', namespace: 'grp' })).json.id;
  runnerToken = (await t.api('POST', '/api/v4/runners', { token: t.registrationToken, description: 'r', run_untagged: true })).json.token;
  wc = await workingCopy({ '.gitlab-ci.yml': CI, 'ci/child.yml': CHILD });
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/bridges'), 'main']);
});

afterAll(async () => {
  await t?.close();
  if (wc) await rm(wc, { recursive: true, force: true });
});

async function take(): Promise<Payload | undefined> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  if (r.status === 204) return undefined;
  expect(r.status).toBe(201);
  return r.json as Payload;
}

/** The first job of a pipeline a push just made: the server creates it right after git's answer. */
async function takeAfterPush(): Promise<Payload | undefined> {
  for (let i = 0; i < 50; i++) {
    const job = await take();
    if (job) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** Uploads an artifact as gitlab-runner does; resolves to the HTTP status. */
async function uploadArtifact(job: Payload, bytes: Buffer, filename: string, query: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  return (await fetch(`${t.url}/api/v4/jobs/${job.id}/artifacts?${query}`, { method: 'POST', headers: { 'JOB-TOKEN': job.token }, body: form })).status;
}

async function finish(job: Payload, state: 'success' | 'failed'): Promise<void> {
  expect((await t.api('PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state, ...(state === 'failed' && { failure_reason: 'script_failure' }) })).status).toBe(200);
}

const seen = (p: Payload, key: string) => [...p.variables].reverse().find((v) => v.key === key)?.value;

/** Builds and trigger jobs: GitLab lists them apart (/jobs and /bridges). */
async function jobsOf(pipelineId: number): Promise<ApiJob[]> {
  const builds = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`)).json as ApiJob[];
  const bridges = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/bridges`)).json as ApiJob[];
  expect(builds.every((j) => j.downstream_pipeline === undefined)).toBe(true);
  expect(bridges.every((j) => j.downstream_pipeline !== undefined)).toBe(true);
  return [...builds, ...bridges];
}

describe('trigger jobs on the coordinator', () => {
  it('create child pipelines that runners work through; depend mirrors the child; the rest fail with the GitLab reason', async () => {
    const build = (await take())!;
    expect(build.job_info.name).toBe('build');
    const parentId = build.job_info.pipeline_id;
    expect(await uploadArtifact(build, gzipSync('VERSION=1.4.0\n'), 'build.env.gz', 'artifact_format=gzip&artifact_type=dotenv')).toBe(201);
    await finish(build, 'success');

    // Two child pipelines, one job each; the bridges themselves never reach a runner.
    const first = (await take())!;
    const second = (await take())!;
    expect([first.job_info.name, second.job_info.name]).toEqual(['child job', 'child job']);
    expect(await take()).toBeUndefined();
    for (const p of [first, second]) {
      expect(p.job_info.pipeline_id).not.toBe(parentId);
      expect(seen(p, 'CI_PIPELINE_SOURCE')).toBe('parent_pipeline');
    }
    const parentJobs = new Map((await jobsOf(parentId)).map((j) => [j.name, j]));
    expect(parentJobs.get('depend child')).toMatchObject({ status: 'running', downstream_pipeline: { status: 'running', source: 'parent_pipeline' } });
    expect(parentJobs.get('fire and forget')).toMatchObject({ status: 'success', downstream_pipeline: { source: 'parent_pipeline' } });
    expect(parentJobs.get('multi project')?.downstream_pipeline).toBeNull();
    expect(parentJobs.get('build')?.downstream_pipeline).toBeUndefined();
    expect(parentJobs.get('multi project')).toMatchObject({ status: 'failed', failure_reason: 'downstream_bridge_project_not_found' });
    const trace = await (await fetch(`${t.url}/api/v4/projects/${projectId}/jobs/${parentJobs.get('multi project')!.id}/trace`, { headers: { 'PRIVATE-TOKEN': t.adminToken } })).text();
    expect(trace).toContain('Downstream project other/project could not be found');

    // The depend child got the bridge's YAML variables, expanded with build's dotenv report.
    const byPipeline = new Map<number, Payload>([[first.job_info.pipeline_id, first], [second.job_info.pipeline_id, second]]);
    const dependChildPipeline = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`)).json
      .find((p: { id: number; source: string }) => p.source === 'parent_pipeline' && byPipeline.get(p.id) && seen(byPipeline.get(p.id)!, 'IMAGE') !== undefined).id as number;
    const dependJob = byPipeline.get(dependChildPipeline)!;
    expect(seen(dependJob, 'IMAGE')).toBe('app:1.4.0');
    expect(seen(dependJob, 'VERSION')).toBe('1.4.0');

    // The depend child fails → its bridge fails → the parent's later stage is skipped.
    await finish(dependJob, 'failed');
    await finish(byPipeline.get([...byPipeline.keys()].find((id) => id !== dependChildPipeline)!)!, 'failed');
    const after = new Map((await jobsOf(parentId)).map((j) => [j.name, j]));
    expect(after.get('depend child')).toMatchObject({ status: 'failed' });
    // Without depend the trigger job does not follow its child.
    expect(after.get('fire and forget')).toMatchObject({ status: 'success', downstream_pipeline: { status: 'failed' } });
    expect(after.get('after')?.status).toBe('skipped');
    const parent = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${parentId}`)).json;
    expect(parent.status).toBe('failed');
    expect(await take()).toBeUndefined();

    // `drydock pipeline show` lists the trigger jobs with the pipelines they created.
    const shown = await runCli(['pipeline', 'show', String(parentId), '--project', 'grp/bridges'], { cwd: tmpdir(), env: { DRYDOCK_URL: t.url, DRYDOCK_TOKEN: t.adminToken } });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`depend child\\s+failed \\(unknown_failure\\) → pipeline ${dependChildPipeline} failed`));
    expect(shown.stdout).toMatch(/multi project\s+failed \(allowed\) \(downstream_bridge_project_not_found\)/);

    // Retrying the child's failed job reopens the depend trigger job; the child's success then lets the parent go on.
    expect((await t.admin('POST', `/api/v4/projects/${projectId}/jobs/${dependJob.id}/retry`)).status).toBe(201);
    const reopened = new Map((await jobsOf(parentId)).map((j) => [j.name, j]));
    expect(reopened.get('depend child')?.status).toBe('running');
    expect(reopened.get('after')?.status).toBe('created');
    const again = (await take())!;
    expect(again.job_info).toMatchObject({ name: 'child job', pipeline_id: dependChildPipeline });
    await finish(again, 'success');
    expect(new Map((await jobsOf(parentId)).map((j) => [j.name, j])).get('depend child')).toMatchObject({ status: 'success', downstream_pipeline: { status: 'success' } });
    const afterJob = (await take())!;
    expect(afterJob.job_info.name).toBe('after');
    await finish(afterJob, 'success');
    // The multi-project trigger job failed with allow_failure: the parent passes with warnings.
    expect((await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${parentId}`)).json.status).toBe('success');
  });
});

describe('dynamic child pipelines (trigger:include:artifact)', () => {
  it('creates the child from a file in an earlier job\'s artifacts, and says so when the file is not there', async () => {
    const id = (await t.admin('POST', '/api/v4/projects', { name: 'dynamic', namespace: 'grp' })).json.id as number;
    const work = await workingCopy({ '.gitlab-ci.yml': `
stages: [generate, run]
generate:
  stage: generate
  script: [./generate.sh]
  artifacts: { paths: [generated/] }
run generated:
  stage: run
  trigger:
    include: [{ artifact: generated/child.yml, job: generate }]
    strategy: depend
run missing:
  stage: run
  trigger:
    include: [{ artifact: generated/nope.yml, job: generate }]
  allow_failure: true
`, 'shared.yml': '.base:\n  script: [echo from-repo]\n' });
    await git(work, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/dynamic'), 'main']);
    await rm(work, { recursive: true, force: true });

    const generate = await takeAfterPush();
    expect(generate?.job_info.name).toBe('generate');
    if (!generate) return;
    // The generated file includes a file of the repository, as GitLab allows.
    const zip = await zipOf({ 'generated/child.yml': 'include: [{ local: shared.yml }]\nmade:\n  extends: .base\n' });
    expect(await uploadArtifact(generate, zip, 'artifacts.zip', 'artifact_format=zip&artifact_type=archive')).toBe(201);
    await finish(generate, 'success');

    const made = (await take())!;
    expect(made.job_info.name).toBe('made');
    expect(seen(made, 'CI_PIPELINE_SOURCE')).toBe('parent_pipeline');
    const parentId = generate.job_info.pipeline_id;
    const bridges = (await t.admin('GET', `/api/v4/projects/${id}/pipelines/${parentId}/bridges`)).json as ApiJob[];
    const missing = bridges.find((b) => b.name === 'run missing')!;
    expect(missing).toMatchObject({ status: 'failed', failure_reason: 'downstream_pipeline_creation_failed', downstream_pipeline: null });
    const trace = await (await fetch(`${t.url}/api/v4/projects/${id}/jobs/${missing.id}/trace`, { headers: { 'PRIVATE-TOKEN': t.adminToken } })).text();
    expect(trace).toContain('File `generated/nope.yml` is empty!');
    await finish(made, 'success');
    const after = (await t.admin('GET', `/api/v4/projects/${id}/pipelines/${parentId}/bridges`)).json as ApiJob[];
    expect(after.find((b) => b.name === 'run generated')).toMatchObject({ status: 'success', downstream_pipeline: { status: 'success' } });
  });
});

/** A zip archive of `files` (path → text), as a runner uploads artifacts. */
async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('multi-project pipelines (trigger:project)', () => {
  it('starts a pipeline of the other project on the branch asked for, with the trigger job\'s variables', async () => {
    const down = (await t.admin('POST', '/api/v4/projects', { name: 'downstream', namespace: 'grp' })).json.id as number;
    const downWork = await workingCopy({ '.gitlab-ci.yml': 'deploy:\n  script: [./deploy.sh]\n' });
    await git(downWork, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/downstream'), 'main:stable']);
    await rm(downWork, { recursive: true, force: true });
    const own = await takeAfterPush(); // the push made a pipeline of its own on stable
    expect(seen(own!, 'CI_PIPELINE_SOURCE')).toBe('push');
    await finish(own!, 'success');

    const up = (await t.admin('POST', '/api/v4/projects', { name: 'upstream', namespace: 'grp' })).json.id as number;
    const upWork = await workingCopy({ '.gitlab-ci.yml': 'release:\n  variables: { RELEASE: "r-$CI_PIPELINE_IID" }\n  trigger: { project: grp/downstream, branch: stable, strategy: depend }\n' });
    await git(upWork, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/upstream'), 'main']);
    await rm(upWork, { recursive: true, force: true });
    const job = await takeAfterPush();
    expect(job?.job_info.name).toBe('deploy');
    expect(seen(job!, 'CI_PIPELINE_SOURCE')).toBe('pipeline');
    expect(seen(job!, 'CI_PROJECT_PATH')).toBe('grp/downstream');
    expect(seen(job!, 'CI_COMMIT_REF_NAME')).toBe('stable');
    expect(seen(job!, 'RELEASE')).toBe('r-1');
    const upPipeline = ((await t.admin('GET', `/api/v4/projects/${up}/pipelines`)).json as Array<{ id: number }>)[0]!.id;
    const [bridge] = (await t.admin('GET', `/api/v4/projects/${up}/pipelines/${upPipeline}/bridges`)).json as ApiJob[];
    expect(bridge).toMatchObject({ status: 'running', downstream_pipeline: { id: job!.job_info.pipeline_id, source: 'pipeline' } });
    await finish(job!, 'success');
    const after = ((await t.admin('GET', `/api/v4/projects/${up}/pipelines/${upPipeline}/bridges`)).json as ApiJob[])[0];
    expect(after).toMatchObject({ status: 'success', downstream_pipeline: { status: 'success' } });
    expect(down).toBeGreaterThan(0);
  });
});

describe('trigger jobs across a server restart', () => {
  it('a depend trigger job takes the result of a child that finished while the server was going down', async () => {
    const { startServer } = await import('../../src/server/app.js');
    const { default: Database } = await import('better-sqlite3');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'drydock-bridge-restart-'));
    try {
      let server = await startServer({ dataDir, port: 0, logLevel: 'silent', longPollSeconds: 0 });
      const admin = server.credentials!.admin_token;
      const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = { 'PRIVATE-TOKEN': admin }) => {
        const res = await fetch(`${server.url}${route}`, { method, headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
        return { status: res.status, json: await res.json().catch(() => undefined) as any };
      };
      const id = (await call('POST', '/api/v4/projects', { name: 'restart', namespace: 'grp' })).json.id as number;
      const work = await workingCopy({ '.gitlab-ci.yml': 'down:\n  trigger: { include: child.yml, strategy: depend }\n', 'child.yml': 'c:\n  script: [x]\n' });
      await git(work, ['push', '--quiet', authedUrl(server.url, 'anyone', admin, 'grp/restart'), 'main']);
      await rm(work, { recursive: true, force: true });
      const pipelineId = ((await call('GET', `/api/v4/projects/${id}/pipelines`)).json as Array<{ id: number; source: string }>).find((p) => p.source === 'push')!.id;
      const bridges = (await call('GET', `/api/v4/projects/${id}/pipelines/${pipelineId}/bridges`)).json as ApiJob[];
      expect((await call('GET', `/api/v4/projects/${id}/pipelines/${pipelineId}/jobs`)).json).toEqual([]);
      const bridge = bridges.find((j) => j.name === 'down')!;
      expect(bridge.status).toBe('running');
      await server.close();
      // As if the server died right after the child's last job update was committed.
      const db = new Database(path.join(dataDir, 'drydock.db'));
      db.prepare("UPDATE jobs SET status = 'success' WHERE name = 'c'").run();
      db.prepare("UPDATE pipelines SET status = 'success' WHERE parent_job_id = ?").run(bridge.id);
      db.close();
      server = await startServer({ dataDir, port: 0, logLevel: 'silent', longPollSeconds: 0 });
      try {
        const after = (await call('GET', `/api/v4/projects/${id}/pipelines/${pipelineId}/bridges`)).json as ApiJob[];
        expect(after.find((j) => j.id === bridge.id)).toMatchObject({ status: 'success', downstream_pipeline: { status: 'success' } });
        expect((await call('GET', `/api/v4/projects/${id}/pipelines/${bridge.pipeline.id}`)).json.status).toBe('success');
      } finally {
        await server.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
