// Trigger jobs (bridges) through the coordinator: GitLab never hands a bridge to a runner. This
// server does not create downstream pipelines yet, so a bridge fails with GitLab's reason
// (downstream_pipeline_creation_failed) the moment it would be queued; what follows it runs by the
// usual rules (allow_failure, when: on_failure), and no runner ever receives it.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const CI = `
stages: [build, child, after]
build:
  stage: build
  script: [echo build]
child:
  stage: child
  trigger:
    include: child.yml
optional child:
  stage: child
  trigger: { include: child.yml }
  allow_failure: true
cleanup:
  stage: after
  when: on_failure
  script: [echo cleanup]
`;

let t: TestServer;
let wc: string;
let runnerToken: string;
let projectId: number;

beforeAll(async () => {
  t = await startTestServer();
  projectId = (await t.admin('POST', '/api/v4/projects', { name: 'bridges', namespace: 'grp' })).json.id;
  runnerToken = (await t.api('POST', '/api/v4/runners', { token: t.registrationToken, description: 'r', run_untagged: true })).json.token;
  wc = await workingCopy({ '.gitlab-ci.yml': CI, 'child.yml': 'c:\n  script: [echo child]\n' });
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/bridges'), 'main']);
});

afterAll(async () => {
  await t?.close();
  if (wc) await rm(wc, { recursive: true, force: true });
});

async function take(): Promise<{ status: number; name?: string; id?: number; token?: string }> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  return { status: r.status, ...(r.status === 201 && { name: r.json.job_info.name, id: r.json.id, token: r.json.token }) };
}

describe('trigger jobs on the coordinator', () => {
  it('fails them with downstream_pipeline_creation_failed, never sends them to a runner, and goes on by the usual rules', async () => {
    const build = await take();
    expect(build.name).toBe('build');
    expect((await t.api('PUT', `/api/v4/jobs/${build.id}`, { token: build.token, state: 'success' })).status).toBe(200);

    // The next job a runner gets is the on_failure cleanup: the bridges were never offered.
    const next = await take();
    expect(next.name).toBe('cleanup');
    const jobs = (await t.admin('GET', `/api/v4/projects/${projectId}/jobs`)).json as Array<{ name: string; status: string; failure_reason?: string; allow_failure: boolean }>;
    const byName = new Map(jobs.map((j) => [j.name, j]));
    expect(byName.get('child')).toMatchObject({ status: 'failed', failure_reason: 'downstream_pipeline_creation_failed' });
    expect(byName.get('optional child')).toMatchObject({ status: 'failed', failure_reason: 'downstream_pipeline_creation_failed', allow_failure: true });
    expect((await t.api('PUT', `/api/v4/jobs/${next.id}`, { token: next.token, state: 'success' })).status).toBe(200);
    expect((await take()).status).toBe(204);
    const pipelines = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`)).json as Array<{ status: string }>;
    expect(pipelines[0]?.status).toBe('failed');
  });
});
