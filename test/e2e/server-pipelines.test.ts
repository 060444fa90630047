// The coordinator's pipeline creation and people's API over real HTTP and git: config errors are
// kept, includes are read from git, project variables reach the payload, lint, long polling,
// job-token scope, auth failures and durability across a restart.
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app.js';
import { authedUrl, commitFiles, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

let t: TestServer;
const cleanup: string[] = [];
let runnerToken: string;

async function project(name: string): Promise<{ id: number; remote: string }> {
  const r = await t.admin('POST', '/api/v4/projects', { name, namespace: 'team' });
  expect(r.status).toBe(201);
  return { id: r.json.id, remote: authedUrl(t.url, 'dev', t.adminToken, `team/${name}`) };
}

async function pushNew(remote: string, files: Record<string, string>, branch = 'main'): Promise<string> {
  const wc = await workingCopy(files);
  cleanup.push(wc);
  if (branch !== 'main') await git(wc, ['checkout', '--quiet', '-b', branch]);
  await git(wc, ['push', '--quiet', remote, branch]);
  return wc;
}

/** Runs every pending job to success, so each test sees only its own jobs in the queue. */
async function drain(): Promise<void> {
  for (;;) {
    const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    if (r.status !== 201) return;
    await t.api('PUT', `/api/v4/jobs/${r.json.id}`, { token: r.json.token, state: 'success' });
  }
}

beforeAll(async () => {
  t = await startTestServer({ longPollSeconds: 5 });
  const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken, run_untagged: true });
  runnerToken = reg.json.token;
});

afterAll(async () => {
  await t?.close();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('drydock server: pipelines and the REST API', () => {
  it('stores an invalid configuration as a failed pipeline with yaml_errors', async () => {
    const p = await project('broken');
    await pushNew(p.remote, { '.gitlab-ci.yml': 'build:\n  stage: nope\n  script: [echo ok]\n' });
    const list = await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`);
    expect(list.json).toHaveLength(1);
    const detail = await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${list.json[0].id}`);
    expect(detail.json.status).toBe('failed');
    expect(detail.json.yaml_errors).toContain('chosen stage nope does not exist');
    const jobs = await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${list.json[0].id}/jobs`);
    expect(jobs.json).toEqual([]);
  });

  it('reads include:local from git at the pushed commit, and a second push creates a second pipeline', async () => {
    const p = await project('included');
    const wc = await pushNew(p.remote, {
      '.gitlab-ci.yml': 'include: [{ local: ci/jobs.yml }]\n',
      'ci/jobs.yml': 'from-include:\n  script: [echo included]\n',
    });
    const jobsOf = async (pid: number) => (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${pid}/jobs`)).json.map((j: { name: string }) => j.name);
    const first = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json;
    expect(await jobsOf(first[0].id)).toEqual(['from-include']);
    await commitFiles(wc, { 'ci/jobs.yml': 'renamed:\n  script: [echo again]\n' }, 'second');
    await git(wc, ['push', '--quiet', p.remote, 'main']);
    const both = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json;
    expect(both.map((x: { iid: number }) => x.iid)).toEqual([2, 1]);
    expect(await jobsOf(both[0].id)).toEqual(['renamed']);
  });

  it('puts project variables (masked, file, protected) into the payload after YAML variables', async () => {
    await drain();
    const p = await project('vars');
    const add = (body: Record<string, unknown>) => t.admin('POST', `/api/v4/projects/${p.id}/variables`, body);
    expect((await add({ key: 'SECRET', value: 'supersecret1', masked: true })).status).toBe(201);
    expect((await add({ key: 'CONF', value: 'a=b', variable_type: 'file' })).status).toBe(201);
    expect((await add({ key: 'PROT', value: 'only-protected', protected: true })).status).toBe(201);
    expect((await add({ key: 'OVERRIDE', value: 'from-project' })).status).toBe(201);
    expect((await add({ key: 'SHORT', value: 'x', masked: true })).status).toBe(400);
    expect((await add({ key: 'SECRET', value: 'again' })).status).toBe(400);
    expect((await t.admin('PUT', `/api/v4/projects/${p.id}/variables/OVERRIDE`, { value: 'from-project-2' })).json.value).toBe('from-project-2');
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/variables`)).json.map((v: { key: string }) => v.key))
      .toEqual(['CONF', 'OVERRIDE', 'PROT', 'SECRET']);

    await pushNew(p.remote, { '.gitlab-ci.yml': 'variables: { OVERRIDE: from-yaml }\njob:\n  script: [env]\n' }, 'feature');
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.status).toBe(201);
    const vars = req.json.variables as Array<{ key: string; value: string; masked: boolean; file?: boolean }>;
    const last = (key: string) => [...vars].reverse().find((v) => v.key === key);
    expect(last('SECRET')).toMatchObject({ value: 'supersecret1', masked: true });
    expect(last('CONF')).toMatchObject({ value: 'a=b', file: true });
    expect(last('OVERRIDE')?.value).toBe('from-project-2');
    // feature is not a protected branch: protected variables stay out.
    expect(last('PROT')).toBeUndefined();
    expect(last('CI_COMMIT_REF_NAME')?.value).toBe('feature');
    expect(last('CI_COMMIT_REF_PROTECTED')?.value).toBe('false');
    await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'success' });
    expect((await t.admin('DELETE', `/api/v4/projects/${p.id}/variables/CONF`)).status).toBe(204);
    expect((await t.admin('DELETE', `/api/v4/projects/${p.id}/variables/CONF`)).status).toBe(404);
  });

  it('keeps a job token inside its own project for git', async () => {
    await drain();
    const a = await project('token-a');
    const b = await project('token-b');
    await pushNew(b.remote, { 'README.md': 'b\n' });
    await pushNew(a.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.json.job_info.project_full_path).toBe('team/token-a');
    const token = req.json.token as string;
    await expect(git('/', ['ls-remote', authedUrl(t.url, 'gitlab-ci-token', token, 'team/token-a')])).resolves.toContain('refs/heads/main');
    await expect(git('/', ['ls-remote', authedUrl(t.url, 'gitlab-ci-token', token, 'team/token-b')])).rejects.toThrow(/not allowed|403/);
    await expect(git('/', ['ls-remote', `${t.url}/team/token-b.git`])).rejects.toThrow();
    await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token, state: 'success' });
  });

  it('answers 401 for a wrong token, only public projects without one, and 404 for unknown projects', async () => {
    // Anonymous callers get the public projects only (none here are public).
    expect((await t.api('GET', '/api/v4/projects')).json).toEqual([]);
    expect((await t.api('GET', '/api/v4/projects', undefined, { 'PRIVATE-TOKEN': 'glpat-wrong' })).status).toBe(401);
    expect((await t.admin('GET', '/api/v4/projects/team%2Fnothing')).status).toBe(404);
    expect((await t.admin('GET', '/api/v4/projects/team%2Fvars')).json.path_with_namespace).toBe('team/vars');
    expect((await t.admin('POST', '/api/v4/projects', { name: 'bad name!', path: 'bad name!' })).status).toBe(400);
  });

  it('lints content with GitLab\'s CI Lint response', async () => {
    const ok = await t.admin('POST', '/api/v4/projects/team%2Fvars/ci/lint', { content: 'a:\n  script: [echo]\n', include_jobs: true });
    expect(ok.json).toMatchObject({ valid: true, errors: [], jobs: [{ name: 'a', stage: 'test' }] });
    const bad = await t.admin('POST', '/api/v4/projects/team%2Fvars/ci/lint', { content: 'a:\n  stage: x\n  script: [echo]\n' });
    expect(bad.json.valid).toBe(false);
    expect(bad.json.jobs).toBeUndefined();
    expect(bad.json.errors[0]).toContain('chosen stage x does not exist');
    expect((await t.admin('POST', '/api/v4/projects/team%2Fvars/ci/lint', {})).status).toBe(400);
  });

  it('long-polls: a waiting job request gets the job created while it waits', async () => {
    await drain();
    const p = await project('longpoll');
    const idle = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(idle.status).toBe(204);
    const lastUpdate = idle.headers.get('x-gitlab-last-update') ?? '';
    const waiting = t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken, { last_update: lastUpdate }));
    await pushNew(p.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    const got = await waiting;
    expect(got.status).toBe(201);
    expect(got.json.job_info.project_full_path).toBe('team/longpoll');
    await t.api('PUT', `/api/v4/jobs/${got.json.id}`, { token: got.json.token, state: 'success' });
  });

  it('plays a manual job and creates a pipeline through the API', async () => {
    await drain();
    const p = await project('manual');
    await pushNew(p.remote, { '.gitlab-ci.yml': 'deploy:\n  when: manual\n  script: [echo ok]\n' });
    const [pl] = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json;
    const detail = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${pl.id}`)).json;
    expect(detail.yaml_errors).toBeNull();
    expect(pl.status).toBe('skipped');
    const [job] = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${pl.id}/jobs`)).json;
    expect(job.status).toBe('manual');
    const played = await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${job.id}/play`);
    expect(played.json.status).toBe('pending');
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${job.id}/play`)).status).toBe(400);
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.json.id).toBe(job.id);
    expect(req.json.variables.find((v: { key: string }) => v.key === 'CI_JOB_MANUAL')?.value).toBe('true');
    await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'success' });
    const api = await t.admin('POST', `/api/v4/projects/${p.id}/pipeline`, { ref: 'main', variables: [{ key: 'DEPLOY_TO', value: 'staging' }] });
    expect(api.status).toBe(201);
    expect(api.json).toMatchObject({ iid: 2, source: 'api', ref: 'main' });
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${api.json.id}/variables`)).json)
      .toEqual([{ variable_type: 'env_var', key: 'DEPLOY_TO', value: 'staging' }]);
    const [manual] = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${api.json.id}/jobs`)).json;
    await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${manual.id}/play`);
    const second = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(second.json.variables.find((v: { key: string }) => v.key === 'DEPLOY_TO')?.value).toBe('staging');
    expect(second.json.variables.find((v: { key: string }) => v.key === 'CI_PIPELINE_SOURCE')?.value).toBe('api');
    await t.api('PUT', `/api/v4/jobs/${second.json.id}`, { token: second.json.token, state: 'success' });
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/pipeline`, { ref: 'nope' })).status).toBe(400);
  });

  it('creates glrt- runners for people; a project runner takes only its project\'s jobs', async () => {
    await drain();
    const mine = await project('own-runner');
    const other = await project('other-runner');
    expect((await t.api('POST', '/api/v4/user/runners', { runner_type: 'instance_type' })).status).toBe(401);
    const created = await t.admin('POST', '/api/v4/user/runners', { runner_type: 'project_type', project_id: mine.id, tag_list: ['x'], run_untagged: true });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^glrt-t3_/);
    // `gitlab-runner register --token glrt-...` only verifies.
    expect((await t.api('POST', '/api/v4/runners/verify', { token: created.json.token, system_id: 's_0123456789ab' })).json.id).toBe(created.json.id);
    await pushNew(other.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(created.json.token))).status).toBe(204);
    await pushNew(mine.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    const got = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(created.json.token));
    expect(got.json.job_info.project_full_path).toBe('team/own-runner');
    const self = await t.api('GET', '/api/v4/job', undefined, { 'JOB-TOKEN': got.json.token });
    expect(self.json).toMatchObject({ id: got.json.id, name: 'job', status: 'running' });
    await t.api('PUT', `/api/v4/jobs/${got.json.id}`, { token: got.json.token, state: 'success' });
    const jobs = await t.admin('GET', `/api/v4/projects/${mine.id}/jobs?scope=success`);
    expect(jobs.json.map((j: { id: number }) => j.id)).toEqual([got.json.id]);
    expect(jobs.headers.get('x-total')).toBe('1');

    const reset = await t.api('POST', '/api/v4/runners/reset_authentication_token', { token: created.json.token });
    expect(reset.status).toBe(201);
    expect(reset.json.token).toMatch(/^glrt-/);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: created.json.token })).status).toBe(403);
    expect((await t.api('POST', '/api/v4/runners/verify', { token: reset.json.token })).status).toBe(200);
    expect((await t.admin('GET', '/api/v4/version')).json.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('stores artifacts and hands them to dependent jobs', async () => {
    await drain();
    const p = await project('artifacts');
    await pushNew(p.remote, {
      '.gitlab-ci.yml': 'build:\n  stage: build\n  script: [echo ok]\n  artifacts: { paths: [dist/], expire_in: 1 week }\nuse:\n  stage: test\n  script: [echo ok]\n',
    });
    const build = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(build.json.job_info.name).toBe('build');
    expect(build.json.artifacts).toEqual([{ name: 'artifacts', untracked: false, paths: ['dist/'], when: 'on_success', expire_in: '1 week', artifact_type: 'archive', artifact_format: 'zip' }]);
    const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    const upload = async (token: string, query: string) => {
      const form = new FormData();
      form.append('file', new Blob([zip]), 'artifacts.zip');
      return fetch(`${t.url}/api/v4/jobs/${build.json.id}/artifacts?${query}`, { method: 'POST', headers: { 'JOB-TOKEN': token }, body: form });
    };
    expect((await upload('wrong', 'artifact_format=zip&artifact_type=archive')).status).toBe(403);
    expect((await upload(build.json.token, 'artifact_format=zip&artifact_type=archive&expire_in=1%20week')).status).toBe(201);
    await t.api('PUT', `/api/v4/jobs/${build.json.id}`, { token: build.json.token, state: 'success' });

    const use = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(use.json.job_info.name).toBe('use');
    expect(use.json.dependencies).toEqual([{ id: build.json.id, name: 'build', token: use.json.token, artifacts_file: { filename: 'artifacts.zip', size: zip.length } }]);
    const download = await fetch(`${t.url}/api/v4/jobs/${build.json.id}/artifacts`, { headers: { 'JOB-TOKEN': use.json.token } });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(zip);
    expect((await fetch(`${t.url}/api/v4/jobs/${build.json.id}/artifacts`, { headers: { 'JOB-TOKEN': 'nope' } })).status).toBe(403);
    await t.api('PUT', `/api/v4/jobs/${use.json.id}`, { token: use.json.token, state: 'success' });
    const entity = await t.admin('GET', `/api/v4/projects/${p.id}/jobs/${build.json.id}`);
    expect(entity.json.artifacts_file).toEqual({ filename: 'artifacts.zip', size: zip.length });
    expect((await fetch(`${t.url}/api/v4/projects/${p.id}/jobs/${build.json.id}/artifacts`, { headers: { 'PRIVATE-TOKEN': t.adminToken } })).status).toBe(200);
  });

  it('fails a running job whose runner stopped reporting', async () => {
    await drain();
    const p = await project('abandoned');
    await pushNew(p.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.status).toBe(201);
    expect(await t.server.sweepStaleJobs()).toEqual([]);
    expect(await t.server.sweepStaleJobs(Date.now() + 2 * 3600 * 1000)).toEqual([req.json.id]);
    const job = await t.admin('GET', `/api/v4/projects/${p.id}/jobs/${req.json.id}`);
    expect(job.json).toMatchObject({ status: 'failed', failure_reason: 'no_updates_running' });
    const put = await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'success' });
    expect(put.status).toBe(403);
    expect(put.headers.get('job-status')).toBe('failed');
  });

  it('evaluates workflow rules with the predefined variables and runs tag pipelines', async () => {
    await drain();
    const p = await project('rules');
    const wc = await pushNew(p.remote, {
      '.gitlab-ci.yml': [
        'workflow:',
        '  rules:',
        '    - if: $CI_COMMIT_TAG',
        '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
        'job:',
        '  script: [echo ok]',
        '  rules:',
        '    - if: $CI_PROJECT_PATH == "team/rules"',
        '',
      ].join('\n'),
    });
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json).toHaveLength(1);
    await git(wc, ['checkout', '--quiet', '-b', 'topic']);
    await git(wc, ['push', '--quiet', p.remote, 'topic']);
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json).toHaveLength(1);
    const filtered = await t.admin('POST', `/api/v4/projects/${p.id}/pipeline?ref=topic`);
    expect(filtered.status).toBe(400);
    expect(filtered.json.message.base).toEqual(['Pipeline filtered out by workflow rules.']);
    await git(wc, ['tag', 'v1.0.0']);
    await git(wc, ['push', '--quiet', p.remote, 'v1.0.0']);
    const list = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json;
    expect(list).toHaveLength(2);
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${list[0].id}`)).json).toMatchObject({ ref: 'v1.0.0', tag: true });
    await drain();
  });

  it('gives one job to exactly one of several racing runners; a hard cancel aborts the runner', async () => {
    await drain();
    const p = await project('race');
    await pushNew(p.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    const tokens = await Promise.all([1, 2, 3, 4].map(async () => (await t.api('POST', '/api/v4/runners', { token: t.registrationToken })).json.token as string));
    // These runners do not announce cancel_gracefully.
    const plain = (token: string) => ({ token, info: { name: 'gitlab-runner', features: {} } });
    const answers = await Promise.all(tokens.map((token) => t.api('POST', '/api/v4/jobs/request', plain(token))));
    const winners = answers.filter((a) => a.status === 201);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 204)).toHaveLength(3);
    const job = winners[0]!.json;
    const canceled = await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${job.id}/cancel`);
    expect(canceled.json.status).toBe('canceled');
    const patch = await t.api('PATCH', `/api/v4/jobs/${job.id}/trace`, 'x', { 'JOB-TOKEN': job.token, 'content-type': 'text/plain', 'Content-Range': '0-0' });
    expect(patch.status).toBe(403);
    expect(patch.headers.get('job-status')).toBe('canceled');
  });

  it('auto-cancels older pipelines of a branch unless a non-interruptible job started', async () => {
    await drain();
    const p = await project('autocancel');
    const wc = await pushNew(p.remote, { '.gitlab-ci.yml': 'job:\n  script: [echo ok]\n' });
    await commitFiles(wc, { 'a.txt': 'a\n' }, 'second');
    await git(wc, ['push', '--quiet', p.remote, 'main']);
    const statuses = async () => (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json.map((x: { iid: number; status: string }) => `${x.iid}:${x.status}`);
    expect(await statuses()).toEqual(['2:pending', '1:canceled']);
    const req = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
    expect(req.json.job_info.pipeline_id).toBe((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines`)).json[0].id);
    await commitFiles(wc, { 'b.txt': 'b\n' }, 'third');
    await git(wc, ['push', '--quiet', p.remote, 'main']);
    expect(await statuses()).toEqual(['3:pending', '2:running', '1:canceled']);
    await t.api('PUT', `/api/v4/jobs/${req.json.id}`, { token: req.json.token, state: 'success' });
    await drain();
  });

  it('keeps everything across a restart and does not recreate credentials', async () => {
    const creds = JSON.parse(await readFile(path.join(t.dataDir, 'initial-credentials.json'), 'utf8'));
    expect(creds).toMatchObject({ admin_token: t.adminToken, runner_registration_token: t.registrationToken });
    expect((await stat(path.join(t.dataDir, 'initial-credentials.json'))).mode & 0o777).toBe(0o600);
    const before = (await t.admin('GET', '/api/v4/projects')).json.length;
    await t.server.close();
    const again = await startServer({ dataDir: t.dataDir, port: 0, logLevel: 'silent', longPollSeconds: 0 });
    try {
      expect(again.credentials).toBeUndefined();
      const res = await fetch(`${again.url}/api/v4/projects?per_page=100`, { headers: { 'PRIVATE-TOKEN': t.adminToken } });
      expect(((await res.json()) as unknown[]).length).toBe(before);
      const verify = await fetch(`${again.url}/api/v4/runners/verify`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: runnerToken }),
      });
      expect(verify.status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
