// The coordinator end to end over real HTTP and real git: push a repository with a .gitlab-ci.yml,
// then act exactly as gitlab-runner does (register, request, trace, update) and watch the pipeline.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobPayloadSchema, jobSpecFromPayload, traceChecksum } from '../../src/protocol/index.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const CI = `
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  image: alpine:3.12
  before_script: [echo before]
  script: [echo "$GREETING from build"]
  after_script: [echo after]
test:
  stage: test
  script: [echo test]
tagged:
  stage: test
  tags: [docker]
  script: [echo tagged]
`;

let t: TestServer;
let wc: string;
let runnerToken: string;
let projectId: number;

beforeAll(async () => {
  t = await startTestServer();
  const created = await t.admin('POST', '/api/v4/projects', { name: 'app', namespace: 'grp' });
  expect(created.status).toBe(201);
  projectId = created.json.id;
  expect(created.json.path_with_namespace).toBe('grp/app');
  wc = await workingCopy({ '.gitlab-ci.yml': CI, 'README.md': 'hi\n' });
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/app'), 'main']);
});

afterAll(async () => {
  await t?.close();
  if (wc) await rm(wc, { recursive: true, force: true });
});

describe('drydock server: push → pipeline → runner', () => {
  it('creates a pipeline for the push, with created/pending jobs', async () => {
    const list = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`);
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
    expect(list.json[0]).toMatchObject({ iid: 1, ref: 'main', source: 'push', status: 'pending' });
    const jobs = await t.admin('GET', `/api/v4/projects/grp%2Fapp/pipelines/${list.json[0].id}/jobs`);
    expect(jobs.json.map((j: { name: string; status: string }) => `${j.name}:${j.status}`).sort())
      .toEqual(['build:pending', 'tagged:created', 'test:created']);
  });

  it('rejects unknown registration and runner tokens with 403', async () => {
    expect((await t.api('POST', '/api/v4/runners', { token: 'nope' })).status).toBe(403);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: 'nope' })).status).toBe(403);
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody('nope'))).status).toBe(403);
    expect((await t.api('POST', '/api/v4/runners', {})).status).toBe(400);
  });

  it('registers and verifies a runner', async () => {
    const reg = await t.api('POST', '/api/v4/runners', {
      token: t.registrationToken, description: 'test runner', run_untagged: true, locked: false, tag_list: '', info: { name: 'gitlab-runner' },
    });
    expect(reg.status).toBe(201);
    expect(reg.json).toMatchObject({ id: expect.any(Number), token: expect.stringMatching(/^t1_/), token_expires_at: null });
    runnerToken = reg.json.token;
    const verify = await t.api('POST', '/api/v4/runners/verify', { token: runnerToken, system_id: 's_0123456789ab' });
    expect(verify.status).toBe(200);
    expect(verify.json).toEqual({ id: reg.json.id, token: runnerToken, token_expires_at: null });
  });

  it('hands out the build job with the GitLab payload, runs it, and unlocks the next stage', async () => {
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.status).toBe(201);
    expect(req.headers.get('x-gitlab-last-update')).toBeNull(); // GitLab sends it only with 204
    const payload = jobPayloadSchema.parse(req.json);
    expect(payload.job_info).toMatchObject({ name: 'build', stage: 'build', project_id: projectId, project_name: 'app' });
    expect(payload.token).toMatch(/^glcbt-/);
    expect(payload.steps).toEqual([
      { name: 'script', script: ['echo before', 'echo "$GREETING from build"'], timeout: 3600, when: 'on_success', allow_failure: false },
      { name: 'after_script', script: ['echo after'], timeout: 3600, when: 'always', allow_failure: true },
    ]);
    expect(payload.image?.name).toBe('alpine:3.12');
    const sha = (await git(wc, ['rev-parse', 'HEAD'])).trim();
    expect(payload.git_info).toMatchObject({ ref: 'main', sha, ref_type: 'branch', depth: 20 });
    expect(payload.git_info.refspecs[0]).toBe(`+refs/pipelines/${payload.job_info.pipeline_id}:refs/pipelines/${payload.job_info.pipeline_id}`);
    const repoUrl = new URL(payload.git_info.repo_url);
    expect(repoUrl.username).toBe('gitlab-ci-token');
    expect(repoUrl.password).toBe(payload.token);
    const vars = new Map(payload.variables.map((v) => [v.key, v]));
    expect(vars.get('CI_JOB_TOKEN')).toMatchObject({ value: payload.token, masked: true, public: false });
    expect(vars.get('CI_SERVER_URL')?.value).toBe(t.url);
    expect(vars.get('CI_PROJECT_PATH')?.value).toBe('grp/app');
    expect(vars.get('CI_COMMIT_SHA')?.value).toBe(sha);
    expect(vars.get('CI_COMMIT_BRANCH')?.value).toBe('main');
    expect(vars.get('CI_COMMIT_TITLE')?.value).toBe('initial commit');
    expect(vars.get('CI_PIPELINE_ID')?.value).toBe(String(payload.job_info.pipeline_id));
    expect(vars.get('CI_PIPELINE_IID')?.value).toBe('1');
    expect(vars.get('CI_JOB_ID')?.value).toBe(String(payload.id));
    expect(vars.get('GREETING')?.value).toBe('hello');
    expect(vars.get('CI_REPOSITORY_URL')?.value).toBe(payload.git_info.repo_url);
    expect(payload.features.failure_reasons).toContain('script_failure');
    expect(jobSpecFromPayload(payload).script).toEqual(['echo before', 'echo "$GREETING from build"']);

    // The job token clones its own project, including the pipeline ref, but cannot push.
    const clone = `${wc}-clone`;
    await git('/', ['clone', '--quiet', payload.git_info.repo_url, clone]);
    await git(clone, ['fetch', '--quiet', 'origin', payload.git_info.refspecs[0]!]);
    await expect(git(clone, ['push', '--quiet', 'origin', 'HEAD:refs/heads/evil'])).rejects.toThrow();
    await rm(clone, { recursive: true, force: true });

    // Nothing else is ready: test waits for build, tagged needs a docker-tagged runner.
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken))).status).toBe(204);

    const id = payload.id;
    const jobHeaders = { 'JOB-TOKEN': payload.token, 'content-type': 'text/plain' };
    const first = await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'hello ', { ...jobHeaders, 'Content-Range': '0-5' });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-6');
    expect(first.headers.get('job-status')).toBe('running');
    const wrong = await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'xx', { ...jobHeaders, 'Content-Range': '3-4' });
    expect(wrong.status).toBe(416);
    expect(wrong.headers.get('range')).toBe('0-6');
    const second = await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'world\n', { ...jobHeaders, 'Content-Range': '6-11' });
    expect(second.status).toBe(202);
    expect(second.headers.get('range')).toBe('0-12');
    expect((await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'x', { 'content-type': 'text/plain', 'Content-Range': '12-12' })).status).toBe(403);
    expect((await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'x', { ...jobHeaders, 'JOB-TOKEN': 'wrong', 'Content-Range': '12-12' })).status).toBe(403);

    const keepAlive = await t.api('PUT', `/api/v4/jobs/${id}`, { token: payload.token, state: 'running' });
    expect(keepAlive.status).toBe(200);
    expect(keepAlive.headers.get('job-status')).toBe('running');
    expect((await t.api('PUT', `/api/v4/jobs/${id}`, { token: 'wrong', state: 'success' })).status).toBe(403);
    expect((await t.api('PUT', `/api/v4/jobs/${id}`, { token: payload.token, state: 'bogus' })).status).toBe(400);
    const checksum = traceChecksum(new TextEncoder().encode('hello world\n'));
    const done = await t.api('PUT', `/api/v4/jobs/${id}`, { token: payload.token, state: 'success', exit_code: 0, checksum, output: { checksum, bytesize: 12 } },
      { 'JOB-TOKEN': payload.token });
    expect(done.status).toBe(200);
    expect(done.headers.get('job-status')).toBe('success');

    // After the job: its token is dead for trace, update and git.
    const late = await t.api('PATCH', `/api/v4/jobs/${id}/trace`, 'x', { ...jobHeaders, 'Content-Range': '12-12' });
    expect(late.status).toBe(403);
    expect(late.headers.get('job-status')).toBe('success');
    await expect(git('/', ['ls-remote', payload.git_info.repo_url])).rejects.toThrow();

    const trace = await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${id}/trace`);
    expect(trace.text).toBe('hello world\n');
    const job = await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${id}`);
    expect(job.json).toMatchObject({ id, name: 'build', status: 'success', stage: 'build', ref: 'main', pipeline: { id: payload.job_info.pipeline_id } });

    // Next stage: test is now pending and handed out.
    const next = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(next.status).toBe(201);
    expect(next.json.job_info.name).toBe('test');
    const fail = await t.api('PUT', `/api/v4/jobs/${next.json.id}`, { token: next.json.token, state: 'failed', failure_reason: 'script_failure', exit_code: 2 });
    expect(fail.status).toBe(200);
    const failed = await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${next.json.id}`);
    expect(failed.json).toMatchObject({ status: 'failed', failure_reason: 'script_failure' });
  });

  it('gives tagged jobs only to runners with those tags, then rolls up the pipeline', async () => {
    const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken, tag_list: 'docker,linux', run_untagged: false });
    const tagged = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(reg.json.token));
    expect(tagged.status).toBe(201);
    expect(tagged.json.job_info.name).toBe('tagged');
    await t.api('PUT', `/api/v4/jobs/${tagged.json.id}`, { token: tagged.json.token, state: 'success' });
    const pipeline = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${tagged.json.job_info.pipeline_id}`);
    expect(pipeline.json).toMatchObject({ status: 'failed', ref: 'main', yaml_errors: null });
    expect(pipeline.json.finished_at).toBeTruthy();
  });

  it('retries a failed job and cancels a pending one with Job-Status for the runner', async () => {
    const pipelines = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`);
    const pid = pipelines.json[0].id;
    const retried = await t.admin('POST', `/api/v4/projects/${projectId}/pipelines/${pid}/retry`);
    expect(retried.status).toBe(201);
    expect(retried.json.status).toBe('running');
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.json.job_info.name).toBe('test');
    const canceled = await t.admin('POST', `/api/v4/projects/${projectId}/pipelines/${pid}/cancel`);
    expect(canceled.json.status).toBe('canceling');
    const put = await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'running' });
    expect(put.headers.get('job-status')).toBe('canceling');
    await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'failed', failure_reason: 'script_failure' });
    const after = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pid}`);
    expect(after.json.status).toBe('canceled');
    const all = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pid}/jobs?include_retried=true`);
    expect(all.json.filter((j: { name: string }) => j.name === 'test')).toHaveLength(2);
  });

  it('releases a waiting long poll on shutdown', async () => {
    const other = await startTestServer({ longPollSeconds: 60 });
    try {
      const reg = await other.api('POST', '/api/v4/runners', { token: other.registrationToken });
      const waiting = other.api('POST', '/api/v4/jobs/request', jobRequestBody(reg.json.token, { last_update: 'anything' }));
      for (let i = 0; i < 200 && other.server.waitingJobRequests() === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(other.server.waitingJobRequests()).toBe(1);
      await other.server.close();
      expect((await waiting).status).toBe(204);
    } finally {
      await other.close();
    }
  });

  it('deletes a runner', async () => {
    const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken });
    expect((await t.api('DELETE', '/api/v4/runners', { token: reg.json.token })).status).toBe(204);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: reg.json.token })).status).toBe(403);
  });
});
