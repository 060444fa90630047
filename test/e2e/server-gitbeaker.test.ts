// Acceptance with a real GitLab API client (@gitbeaker/rest): the REST shapes, pagination headers
// and status codes are what an off-the-shelf client expects.
import { Gitlab } from '@gitbeaker/rest';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

let t: TestServer;
let api: InstanceType<typeof Gitlab>;
let wc: string | undefined;

beforeAll(async () => {
  t = await startTestServer();
  api = new Gitlab({ host: t.url, token: t.adminToken });
});

afterAll(async () => {
  await t?.close();
  if (wc) await rm(wc, { recursive: true, force: true });
});

describe('gitbeaker against drydock server', () => {
  it('creates and lists projects, variables, pipelines and jobs', async () => {
    const project = await api.Projects.create({ name: 'beaker', namespaceId: 'tools' as unknown as number });
    expect(project.path_with_namespace).toBe('tools/beaker');
    expect((await api.Projects.show('tools/beaker')).id).toBe(project.id);
    expect((await api.Projects.all({ pagination: 'offset' })).map((p) => p.path_with_namespace)).toContain('tools/beaker');

    const variable = await api.ProjectVariables.create(project.id, 'DEPLOY_KEY', 'very-secret-value', { masked: true });
    expect(variable).toMatchObject({ key: 'DEPLOY_KEY', masked: true, variable_type: 'env_var' });
    expect((await api.ProjectVariables.all(project.id)).map((v) => v.key)).toEqual(['DEPLOY_KEY']);
    await api.ProjectVariables.edit(project.id, 'DEPLOY_KEY', 'another-secret-value');
    expect((await api.ProjectVariables.show(project.id, 'DEPLOY_KEY')).value).toBe('another-secret-value');

    wc = await workingCopy({ '.gitlab-ci.yml': 'build:\n  script: [echo "$DEPLOY_KEY"]\n' });
    await git(wc, ['push', '--quiet', authedUrl(t.url, 'x', t.adminToken, 'tools/beaker'), 'main']);
    const pipelines = await api.Pipelines.all(project.id);
    expect(pipelines).toHaveLength(1);
    const pipeline = await api.Pipelines.show(project.id, pipelines[0]!.id);
    expect(pipeline).toMatchObject({ ref: 'main', status: 'pending', iid: 1 });

    const runner = await t.api('POST', '/api/v4/runners', { token: t.registrationToken });
    const job = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runner.json.token));
    await t.api('PATCH', `/api/v4/jobs/${job.json.id}/trace`, '[MASKED]\n', { 'JOB-TOKEN': job.json.token, 'content-type': 'text/plain', 'Content-Range': '0-8' });
    await t.api('PUT', `/api/v4/jobs/${job.json.id}`, { token: job.json.token, state: 'success', exit_code: 0 });

    const jobs = await api.Jobs.all(project.id, { pipelineId: pipeline.id });
    expect(jobs.map((j) => [j.name, j.status])).toEqual([['build', 'success']]);
    expect((await api.Jobs.show(project.id, job.json.id)).status).toBe('success');
    expect(await api.Jobs.showLog(project.id, job.json.id)).toBe('[MASKED]\n');
    expect((await api.Pipelines.show(project.id, pipeline.id)).status).toBe('success');

    const retried = await api.Jobs.retry(project.id, job.json.id);
    expect(retried).toMatchObject({ name: 'build', status: 'pending' });
    const canceled = await api.Jobs.cancel(project.id, retried.id);
    expect(canceled.status).toBe('canceled');
    expect((await api.Pipelines.show(project.id, pipeline.id)).status).toBe('canceled');
  });

  it('reports missing resources as GitLab does', async () => {
    await expect(api.Projects.show('tools/missing')).rejects.toThrow(/404|Not Found/i);
    const anonymous = new Gitlab({ host: t.url, token: 'glpat-invalid' });
    await expect(anonymous.Projects.all({ pagination: 'offset' })).rejects.toThrow(/401|Unauthorized/i);
  });
});
