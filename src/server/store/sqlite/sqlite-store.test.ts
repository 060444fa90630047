import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../pipeline/spec/job-spec.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

const spec = (name: string): JobSpec => ({
  name, stage: 'test', stageIndex: 1, when: 'on_success', allowFailure: false, services: [], variables: [],
  hooks: { preGetSourcesScript: [] }, beforeScript: [], script: ['true'], afterScript: [], needs: null, dependencies: [],
  cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [], interruptible: false,
});

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'drydock-store-'));
  dirs.push(dir);
  return path.join(dir, 'drydock.db');
}
function open(file = ':memory:'): SqliteStore {
  const s = openSqliteStore(file);
  stores.push(s);
  return s;
}

async function seed(store: SqliteStore) {
  const project = await store.createProject({
    name: 'app', path: 'app', namespacePath: 'grp', fullPath: 'grp/app', description: '', defaultBranch: 'main',
    visibility: 'private', ciConfigPath: '.gitlab-ci.yml', creatorId: null,
  });
  const pipeline = await store.createPipeline(
    { projectId: project.id, ref: 'main', tag: false, sha: 'a'.repeat(40), beforeSha: '0'.repeat(40), source: 'push', status: 'created', yamlErrors: null, name: null, userId: null },
    [{ name: 'a', stage: 'test', stageIndex: 1, status: 'created', spec: spec('a'), userId: null }],
  );
  return { project, pipeline };
}

describe('SqliteStore', () => {
  it('finds users by token digest, never by a wrong one', async () => {
    const store = open();
    const user = await store.createUser({ username: 'root', name: 'Admin', email: 'a@b', isAdmin: true });
    await store.addPersonalAccessToken(user.id, 'initial', 'digest-1', ['api']);
    expect((await store.userByTokenDigest('digest-1'))?.username).toBe('root');
    expect(await store.userByTokenDigest('digest-2')).toBeUndefined();
    expect(await store.countUsers()).toBe(1);
  });

  it('numbers pipelines per project and stores jobs with their spec', async () => {
    const store = open();
    const { project, pipeline } = await seed(store);
    expect(pipeline.iid).toBe(1);
    const second = await store.createPipeline({ ...pipeline, source: 'web' }, []);
    expect(second.iid).toBe(2);
    const jobs = await store.jobsOfPipeline(pipeline.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.spec.script).toEqual(['true']);
    expect((await store.listPipelines(project.id)).map((p) => p.iid)).toEqual([2, 1]);
  });

  it('assigns a pending job to exactly one runner', async () => {
    const store = open();
    const { pipeline } = await seed(store);
    const [job] = await store.jobsOfPipeline(pipeline.id);
    await store.updateJob(job!.id, { status: 'pending', queuedAt: new Date().toISOString() });
    expect((await store.pendingJobs()).map((j) => j.id)).toEqual([job!.id]);
    expect(await store.assignJob(job!.id, 1, 'tok', 'now')).toBe(true);
    expect(await store.assignJob(job!.id, 2, 'tok2', 'now')).toBe(false);
    expect((await store.jobByTokenDigest('tok'))?.runnerId).toBe(1);
    expect(await store.pendingJobs()).toEqual([]);
  });

  it('appends trace chunks only at the end', async () => {
    const store = open();
    const { pipeline } = await seed(store);
    const [job] = await store.jobsOfPipeline(pipeline.id);
    const enc = new TextEncoder();
    expect(await store.appendTrace(job!.id, 0, enc.encode('hello '))).toEqual({ ok: true, size: 6 });
    expect(await store.appendTrace(job!.id, 3, enc.encode('xx'))).toEqual({ ok: false, size: 6 });
    expect(await store.appendTrace(job!.id, 6, enc.encode('world'))).toEqual({ ok: true, size: 11 });
    expect((await store.readTrace(job!.id)).toString()).toBe('hello world');
  });

  it('upserts and deletes variables', async () => {
    const store = open();
    const { project } = await seed(store);
    const v = { projectId: project.id, key: 'K', value: '1', variableType: 'env_var' as const, masked: false, protected: false, raw: false, environmentScope: '*', description: null };
    await store.putVariable(v);
    await store.putVariable({ ...v, value: '2', masked: true });
    expect(await store.getVariable(project.id, 'K')).toMatchObject({ value: '2', masked: true });
    expect(await store.deleteVariable(project.id, 'K')).toBe(true);
    expect(await store.listVariables(project.id)).toEqual([]);
  });

  it('keeps committed writes across reopen and migrates once', async () => {
    const file = tempFile();
    const first = openSqliteStore(file);
    const { pipeline } = await seed(first);
    await first.close();
    const second = open(file);
    expect((await second.pipelineById(pipeline.id))?.ref).toBe('main');
    expect((await second.projectByPath('grp/app'))?.id).toBe(pipeline.projectId);
  });

  it('clones a job for retry and marks the old one', async () => {
    const store = open();
    const { pipeline } = await seed(store);
    const [job] = await store.jobsOfPipeline(pipeline.id);
    const clone = await store.cloneJobForRetry(job!, null);
    expect(clone.status).toBe('created');
    const jobs = await store.jobsOfPipeline(pipeline.id);
    expect(jobs.map((j) => [j.name, j.retried])).toEqual([['a', true], ['a', false]]);
  });
});
