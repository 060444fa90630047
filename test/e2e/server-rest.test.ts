// People's REST gaps the web UI found, over real HTTP and git: runners (GitLab's Runners API, also
// through @gitbeaker/rest), anonymous reads of public projects, the job log stream's status events
// on pickup, and workflow:auto_cancel:on_job_failure.
import { Gitlab } from '@gitbeaker/rest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSseEvents, type SseEvent } from '../../src/client/sse-reader.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

let t: TestServer;
let bob: { id: number; token: string };
const cleanup: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const created = await t.admin('POST', '/api/v4/users', { username: 'bob', name: 'Bob', email: 'bob@example.com' });
  expect(created.status).toBe(201);
  const token = await t.admin('POST', `/api/v4/users/${created.json.id}/personal_access_tokens`, { name: 'ci', scopes: ['api'] });
  expect(token.status).toBe(201);
  bob = { id: created.json.id, token: token.json.token };
});

afterAll(async () => {
  await t?.close();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

const as = (token: string) => (method: string, route: string, body?: unknown) => t.api(method, route, body, { 'PRIVATE-TOKEN': token });

/** A project (namespace/name) with `ci` pushed to main; returns its id and first pipeline id. */
async function project(fullPath: string, ci: string, opts: { visibility?: string; token?: string } = {}) {
  const [namespace, name] = fullPath.split('/');
  const token = opts.token ?? t.adminToken;
  const r = await as(token)('POST', '/api/v4/projects', { name, namespace, visibility: opts.visibility ?? 'private' });
  expect(r.status).toBe(201);
  const wc = await workingCopy({ '.gitlab-ci.yml': ci });
  cleanup.push(wc);
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'dev', token, fullPath), 'main']);
  const [pl] = (await t.admin('GET', `/api/v4/projects/${r.json.id}/pipelines`)).json;
  return { id: r.json.id as number, pipelineId: pl.id as number };
}

async function registerRunner(extra: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  const r = await t.api('POST', '/api/v4/runners', { token: t.registrationToken, ...extra });
  expect(r.status).toBe(201);
  return { id: r.json.id, token: r.json.token };
}

async function jobsOf(projectId: number, pipelineId: number): Promise<Array<{ id: number; name: string; status: string }>> {
  return (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`)).json;
}

async function take(runnerToken: string): Promise<{ id: number; token: string; name: string }> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  expect(r.status).toBe(201);
  return { id: r.json.id, token: r.json.token, name: r.json.job_info.name };
}

const finish = (job: { id: number; token: string }, state: 'success' | 'failed') =>
  t.api('PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state, ...(state === 'failed' && { failure_reason: 'script_failure', exit_code: 1 }) });

/** An SSE stream the test pulls event by event. */
async function openStream(route: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${route}`, { headers });
  expect(res.status).toBe(200);
  const abort = new AbortController();
  const events = readSseEvents(res.body!, abort.signal);
  return {
    async next(): Promise<SseEvent> {
      const r = await events.next();
      if (r.done) throw new Error('stream ended early');
      return r.value;
    },
    close: () => abort.abort(),
  };
}

describe('runners for people (GitLab Runners API)', () => {
  it('lists, shows, edits and deletes runners with GitLab shapes, statuses and permissions', async () => {
    const shared = await registerRunner({ description: 'shared-1' });
    const bobApp = await project('bob/app', 'build:\n  script: [echo hi]\n', { token: bob.token });
    const own = await as(bob.token)('POST', '/api/v4/user/runners', { runner_type: 'project_type', project_id: bobApp.id, description: 'bob-1' });
    expect(own.status).toBe(201);
    const ownId = own.json.id as number;

    // Without a token: 401 everywhere.
    for (const [method, route] of [['GET', '/api/v4/runners'], ['GET', '/api/v4/runners/all'], ['GET', `/api/v4/runners/${shared.id}`],
      ['PUT', `/api/v4/runners/${shared.id}`], ['DELETE', `/api/v4/runners/${shared.id}`], ['GET', `/api/v4/runners/${shared.id}/jobs`],
      ['GET', `/api/v4/projects/${bobApp.id}/runners`], ['POST', `/api/v4/runners/${shared.id}/reset_authentication_token`]] as const) {
      expect((await t.api(method, route, method === 'PUT' ? { paused: true } : undefined)).status, `${method} ${route}`).toBe(401);
    }
    expect((await t.api('GET', '/api/v4/runners', undefined, { 'PRIVATE-TOKEN': 'glpat-wrong' })).status).toBe(401);

    // Admin sees every runner; /runners/all is admin only.
    const admin = new Gitlab({ host: t.url, token: t.adminToken });
    const all = await admin.Runners.all();
    expect(all.map((r) => r.id)).toEqual([shared.id, ownId]);
    expect(all[0]).toMatchObject({
      id: shared.id, description: 'shared-1', active: true, paused: false, is_shared: true, runner_type: 'instance_type',
      online: false, status: 'never_contacted', ip_address: null, job_execution_status: 'idle',
    });
    expect(all[1]).toMatchObject({ id: ownId, is_shared: false, runner_type: 'project_type', status: 'never_contacted' });
    expect((await admin.Runners.all({ owned: true })).map((r) => r.id)).toEqual([shared.id, ownId]);
    expect((await as(bob.token)('GET', '/api/v4/runners/all')).status).toBe(403);
    const bobs = await as(bob.token)('GET', '/api/v4/runners');
    expect(bobs.status).toBe(200);
    expect(bobs.json.map((r: { id: number }) => r.id)).toEqual([ownId]);
    expect(bobs.headers.get('x-total')).toBe('1');

    // Contact makes it online; filters follow GitLab's scope/type/status/paused/tag_list.
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(shared.token))).status).toBe(201);
    const ids = async (query: string) => {
      const r = await t.admin('GET', `/api/v4/runners/all?${query}`);
      expect(r.status, query).toBe(200);
      return r.json.map((x: { id: number }) => x.id);
    };
    expect(await ids('status=online')).toEqual([shared.id]);
    expect(await ids('status=never_contacted')).toEqual([ownId]);
    expect(await ids('type=project_type')).toEqual([ownId]);
    expect(await ids('scope=shared')).toEqual([shared.id]);
    expect(await ids('scope=specific')).toEqual([ownId]);
    expect(await ids('paused=true')).toEqual([]);
    expect((await t.admin('GET', '/api/v4/runners/all?scope=bogus')).json).toEqual({ error: 'scope does not have a valid value' });
    expect((await t.admin('GET', '/api/v4/runners/all?status=bogus')).status).toBe(400);
    expect((await t.admin('GET', '/api/v4/runners?scope=shared')).json).toEqual({ message: 'Scope contains invalid value' });

    // Details: instance runners are visible to every user, project runners to their owner and admins.
    const shown = await admin.Runners.show(shared.id);
    expect(shown).toMatchObject({
      id: shared.id, status: 'online', online: true, tag_list: [], run_untagged: true, locked: false, maximum_timeout: null,
      access_level: 'not_protected', version: '17.0.0', revision: 'abcdef12', platform: 'linux', architecture: 'amd64', projects: [], groups: [],
    });
    expect(typeof shown.contacted_at).toBe('string');
    expect((await as(bob.token)('GET', `/api/v4/runners/${shared.id}`)).status).toBe(200);
    const ownShown = await as(bob.token)('GET', `/api/v4/runners/${ownId}`);
    expect(ownShown.json.projects).toEqual([expect.objectContaining({ id: bobApp.id, path_with_namespace: 'bob/app', name: 'app' })]);
    expect((await t.admin('GET', '/api/v4/runners/99999')).status).toBe(404);
    expect((await t.admin('GET', '/api/v4/runners/abc')).status).toBe(400);

    // Edits: bob may not change an instance runner; an admin may; validation as GitLab.
    expect((await as(bob.token)('PUT', `/api/v4/runners/${shared.id}`, { paused: true })).status).toBe(403);
    expect((await as(bob.token)('GET', `/api/v4/runners/${shared.id}/jobs`)).status).toBe(403);
    expect((await t.admin('PUT', `/api/v4/runners/${shared.id}`, {})).status).toBe(400);
    expect((await t.admin('PUT', `/api/v4/runners/${shared.id}`, { active: true, paused: true })).json).toEqual({ error: 'active, paused are mutually exclusive' });
    expect((await t.admin('PUT', `/api/v4/runners/${shared.id}`, { maximum_timeout: 10 })).status).toBe(400);
    const edited = await admin.Runners.edit(shared.id, { paused: true, tagList: ['docker'], description: 'renamed', maximumTimeout: 1800 });
    expect(edited).toMatchObject({ paused: true, active: false, status: 'paused', tag_list: ['docker'], description: 'renamed', maximum_timeout: 1800 });
    expect((await admin.Runners.show(shared.id))).toMatchObject({ paused: true, tag_list: ['docker'], description: 'renamed' });
    expect(await ids('paused=true')).toEqual([shared.id]);
    expect(await ids('tag_list=docker')).toEqual([shared.id]);
    expect(await ids('status=paused')).toEqual([shared.id]);

    // The edits govern job picking: paused takes nothing; then tags without run_untagged skip the untagged job.
    const other = await project('grp/edit-effect', 'build:\n  script: [echo hi]\n');
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(shared.token))).status).toBe(204);
    await admin.Runners.edit(shared.id, { paused: false, runUntagged: false });
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(shared.token))).status).toBe(204);
    await admin.Runners.edit(shared.id, { runUntagged: true });
    const picked = await take(shared.token);
    expect((await jobsOf(other.id, other.pipelineId)).map((j) => j.id)).toContain(picked.id);
    const payload = await t.admin('GET', `/api/v4/projects/${other.id}/jobs/${picked.id}`);
    expect(payload.json.runner).toMatchObject({ id: shared.id, description: 'renamed', status: 'online', online: true });

    // Jobs a runner ran, newest first, with GitLab's basic project.
    const jobs = await admin.Runners.allJobs(shared.id);
    expect(jobs[0]).toMatchObject({ id: picked.id, status: 'running', project: { id: other.id, path_with_namespace: 'grp/edit-effect' } });
    expect((await t.admin('GET', `/api/v4/runners/${shared.id}/jobs?status=success`)).json).toEqual([]);
    expect((await t.admin('GET', `/api/v4/runners/${shared.id}/jobs?status=bogus`)).status).toBe(400);
    expect((await t.admin('GET', '/api/v4/runners/all')).json[0].job_execution_status).toBe('active');
    await finish(picked, 'success');

    // A project's runners: instance runners plus its own.
    const projectRunners = await admin.Runners.all({ projectId: bobApp.id });
    expect(projectRunners.map((r) => r.id)).toEqual([shared.id, ownId]);
    expect((await t.admin('GET', `/api/v4/projects/${other.id}/runners`)).json.map((r: { id: number }) => r.id)).toEqual([shared.id]);
    expect((await t.admin('GET', '/api/v4/projects/nope%2Fnope/runners')).status).toBe(404);

    // Reset and delete: the old token stops working.
    const reset = await t.admin('POST', `/api/v4/runners/${shared.id}/reset_authentication_token`);
    expect(reset.status).toBe(201);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: shared.token })).status).toBe(403);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: reset.json.token })).status).toBe(200);
    expect((await as(bob.token)('DELETE', `/api/v4/runners/${shared.id}`)).status).toBe(403);
    expect((await as(bob.token)('DELETE', `/api/v4/runners/${ownId}`)).status).toBe(204);
    expect((await t.admin('GET', `/api/v4/runners/${ownId}`)).status).toBe(404);
    await admin.Runners.remove({ runnerId: shared.id });
    expect((await t.api('POST', '/api/v4/runners/verify', { token: reset.json.token })).status).toBe(403);
    expect(await admin.Runners.all()).toEqual([]);
  });
});

describe('public projects without a token', () => {
  it('reads a public project anonymously, answers private ones as GitLab, and never allows changes', async () => {
    const pub = await project('open/site', 'build:\n  script: [echo public-log]\n', { visibility: 'public' });
    const priv = await project('closed/site', 'build:\n  script: [echo secret]\n');
    const runner = await registerRunner();
    const job = await take(runner.token);
    const jobB = await take(runner.token);
    const byProject = new Map([[job.id, job], [jobB.id, jobB]]);
    const pubJob = byProject.get((await jobsOf(pub.id, pub.pipelineId))[0]!.id)!;
    const privJob = byProject.get((await jobsOf(priv.id, priv.pipelineId))[0]!.id)!;
    await t.api('PATCH', `/api/v4/jobs/${pubJob.id}/trace`, 'public-log\n', { 'JOB-TOKEN': pubJob.token, 'content-type': 'text/plain', 'Content-Range': '0-10' });

    const reads = (p: { id: number; pipelineId: number }, jobId: number) => ({
      project: `/api/v4/projects/${p.id}`,
      pipelines: `/api/v4/projects/${p.id}/pipelines`,
      pipeline: `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}`,
      pipelineJobs: `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/jobs`,
      jobs: `/api/v4/projects/${p.id}/jobs`,
      job: `/api/v4/projects/${p.id}/jobs/${jobId}`,
      trace: `/api/v4/projects/${p.id}/jobs/${jobId}/trace`,
    });
    for (const [what, route] of Object.entries(reads(pub, pubJob.id))) {
      expect((await t.api('GET', route)).status, what).toBe(200);
    }
    expect((await t.api('GET', `/api/v4/projects/open%2Fsite`)).json).toMatchObject({ id: pub.id, visibility: 'public' });
    expect((await t.api('GET', reads(pub, pubJob.id).trace)).text).toBe('public-log\n');
    expect((await t.api('GET', reads(pub, pubJob.id).job)).json).toMatchObject({ id: pubJob.id, status: 'running' });

    // Private project: the projects/pipelines API says 404, the jobs API 401 (GitLab authenticates jobs first).
    const privReads = reads(priv, privJob.id);
    for (const what of ['project', 'pipelines', 'pipeline', 'pipelineJobs'] as const) {
      expect((await t.api('GET', privReads[what])).status, what).toBe(404);
    }
    for (const what of ['jobs', 'job', 'trace'] as const) expect((await t.api('GET', privReads[what])).status, what).toBe(401);
    expect((await t.api('GET', `/api/v4/projects/${priv.id}/pipelines/${priv.pipelineId}/stream`)).status).toBe(404);
    expect((await t.api('GET', `/api/v4/projects/${priv.id}/jobs/${privJob.id}/trace/stream`)).status).toBe(401);
    // The project list: anonymous callers get the public ones; `search` and `visibility` filter it.
    const listed = async (query: string, headers?: Record<string, string>) => ((await t.api('GET', `/api/v4/projects${query}`, undefined, headers)).json as Array<{ id: number }>).map((p) => p.id);
    expect(await listed('')).toContain(pub.id);
    expect(await listed('')).not.toContain(priv.id);
    expect(await listed('', { 'PRIVATE-TOKEN': bob.token })).toEqual(expect.arrayContaining([pub.id, priv.id]));
    expect(await listed('?search=SITE&visibility=private', { 'PRIVATE-TOKEN': bob.token })).toEqual([priv.id]);
    expect(await listed('?visibility=private')).toEqual([]);
    expect((await t.api('GET', '/api/v4/projects?visibility=secret')).status).toBe(400);
    expect((await t.api('GET', '/api/v4/projects', undefined, { 'PRIVATE-TOKEN': 'glpat-wrong' })).status).toBe(401);
    // A wrong token is 401 even on a public project; a signed-in user still reads private ones.
    expect((await t.api('GET', reads(pub, pubJob.id).project, undefined, { 'PRIVATE-TOKEN': 'glpat-wrong' })).status).toBe(401);
    expect((await as(bob.token)('GET', privReads.trace)).status).toBe(200);
    expect((await t.admin('GET', '/api/v4/projects/999999')).status).toBe(404);

    // Live streams of a public project work anonymously.
    const log = await openStream(`/api/v4/projects/${pub.id}/jobs/${pubJob.id}/trace/stream`);
    expect(await log.next()).toEqual({ event: 'append', data: JSON.stringify({ offset: 0, text: 'public-log\n' }) });
    expect(JSON.parse((await log.next()).data)).toMatchObject({ status: 'running' });
    log.close();
    const live = await openStream(`/api/v4/projects/${pub.id}/pipelines/${pub.pipelineId}/stream`);
    const first = await live.next();
    expect(first.event).toBe('pipeline');
    expect(JSON.parse(first.data)).toMatchObject({ id: pub.pipelineId, status: 'running' });
    live.close();

    // Changes always need a token.
    for (const [method, route, body] of [
      ['POST', `/api/v4/projects/${pub.id}/pipeline`, { ref: 'main' }],
      ['POST', `/api/v4/projects/${pub.id}/pipelines/${pub.pipelineId}/cancel`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/pipelines/${pub.pipelineId}/retry`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/jobs/${pubJob.id}/cancel`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/jobs/${pubJob.id}/retry`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/jobs/${pubJob.id}/play`, undefined],
      ['GET', `/api/v4/projects/${pub.id}/variables`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/variables`, { key: 'A', value: 'b' }],
      ['GET', `/api/v4/projects/${pub.id}/pipelines/${pub.pipelineId}/variables`, undefined],
      ['POST', `/api/v4/projects/${pub.id}/ci/lint`, { content: 'a:\n  script: [x]\n' }],
    ] as const) {
      expect((await t.api(method, route, body)).status, `${method} ${route}`).toBe(401);
    }
    expect((await jobsOf(pub.id, pub.pipelineId))[0]!.status).toBe('running');

    // git over HTTP: anonymous clone of the public project only; anonymous push never.
    const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rest-clone-'));
    cleanup.push(dir);
    await git(dir, ['clone', '--quiet', `${t.url}/open/site.git`, 'pub']);
    await expect(git(dir, ['clone', '--quiet', `${t.url}/closed/site.git`, 'priv'])).rejects.toThrow();
    await git(path.join(dir, 'pub'), ['commit', '--quiet', '--allow-empty', '-m', 'anonymous change']);
    await expect(git(path.join(dir, 'pub'), ['push', '--quiet', 'origin', 'HEAD:main'])).rejects.toThrow();
    expect((await t.api('GET', '/open/site.git/info/refs?service=git-receive-pack')).status).toBe(401);
    expect((await t.admin('GET', `/api/v4/projects/${pub.id}/pipelines`)).json).toHaveLength(1);
    await finish(pubJob, 'success');
    await finish(privJob, 'success');
  });
});

describe('job log stream status events', () => {
  it('sends `status` when a runner picks the job up in an already running pipeline, and on every later change', async () => {
    const p = await project('live/pickup', 'a:\n  script: [echo a]\nb:\n  script: [echo b]\n');
    const runner = await registerRunner();
    const first = await take(runner.token);
    // The pipeline is running now; the other job is still pending.
    const other = (await jobsOf(p.id, p.pipelineId)).find((j) => j.id !== first.id)!;
    expect(other.status).toBe('pending');
    const stream = await openStream(`/api/v4/projects/${p.id}/jobs/${other.id}/trace/stream`, { 'PRIVATE-TOKEN': t.adminToken });
    expect(JSON.parse((await stream.next()).data)).toMatchObject({ status: 'pending' });
    const second = await take(runner.token);
    expect(second.id).toBe(other.id);
    const picked = await stream.next();
    expect(picked.event).toBe('status');
    expect(JSON.parse(picked.data)).toMatchObject({ status: 'running' });
    await finish(second, 'success');
    const done = await stream.next();
    expect(done.event).toBe('status');
    expect(JSON.parse(done.data)).toMatchObject({ status: 'success' });
    expect((await stream.next()).event).toBe('end');
    stream.close();
    await finish(first, 'success');
  });
});

describe('workflow:auto_cancel:on_job_failure', () => {
  const ci = (setting: string, workflow = `workflow:\n  auto_cancel:\n    on_job_failure: ${setting}\n`) => [
    workflow,
    'stages: [build, test]\n',
    'a:\n  stage: build\n  script: [exit 1]\n',
    'b:\n  stage: build\n  script: [sleep 100]\n',
    'c:\n  stage: build\n  allow_failure: true\n  script: [exit 1]\n',
    'd:\n  stage: test\n  when: always\n  script: [echo d]\n',
  ].join('');

  async function runUntilFailure(name: string, setting: string, workflow?: string) {
    const p = await project(`cancel/${name}`, ci(setting, workflow));
    const runner = await registerRunner();
    const taken = new Map<string, { id: number; token: string }>();
    for (let i = 0; i < 3; i++) {
      const j = await take(runner.token);
      taken.set(j.name, j);
    }
    return { p, taken };
  }

  it('with `all`, a failed job cancels the rest of the pipeline; a job allowed to fail does not', async () => {
    const { p, taken } = await runUntilFailure('all', 'all');
    await finish(taken.get('c')!, 'failed');
    expect((await jobsOf(p.id, p.pipelineId)).find((j) => j.name === 'b')!.status).toBe('running');
    await finish(taken.get('a')!, 'failed');
    const statuses = Object.fromEntries((await jobsOf(p.id, p.pipelineId)).map((j) => [j.name, j.status]));
    // b's runner cancels gracefully (cancel_gracefully in its features): canceling until it reports.
    expect(statuses).toEqual({ a: 'failed', b: 'canceling', c: 'failed', d: 'canceled' });
    const put = await finish(taken.get('b')!, 'failed');
    expect(put.headers.get('job-status')).toBe('canceled');
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}`)).json.status).toBe('failed');
  });

  it('the matched workflow rule\'s auto_cancel wins over workflow:auto_cancel', async () => {
    const workflow = 'workflow:\n  auto_cancel:\n    on_job_failure: none\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      auto_cancel:\n        on_job_failure: all\n';
    const { p, taken } = await runUntilFailure('rule', 'unused', workflow);
    await finish(taken.get('a')!, 'failed');
    const statuses = Object.fromEntries((await jobsOf(p.id, p.pipelineId)).map((j) => [j.name, j.status]));
    expect(statuses).toMatchObject({ a: 'failed', b: 'canceling', d: 'canceled' });
    await finish(taken.get('b')!, 'failed');
    await finish(taken.get('c')!, 'failed');
  });

  it('with `none`, the other jobs keep running', async () => {
    const { p, taken } = await runUntilFailure('none', 'none');
    await finish(taken.get('a')!, 'failed');
    const statuses = Object.fromEntries((await jobsOf(p.id, p.pipelineId)).map((j) => [j.name, j.status]));
    expect(statuses).toMatchObject({ a: 'failed', b: 'running', c: 'running', d: 'created' });
    await finish(taken.get('b')!, 'success');
    await finish(taken.get('c')!, 'success');
  });
});
