// The Store contract: every implementation (SQLite, PostgreSQL) must pass the same tests.
// Used by sqlite/sqlite-store.test.ts and postgres/postgres-store.test.ts.
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { Store } from './store.js';

export const spec = (name: string): JobSpec => ({
  name, stage: 'test', stageIndex: 1, when: 'on_success', allowFailure: false, services: [], variables: [],
  hooks: { preGetSourcesScript: [] }, beforeScript: [], script: ['true'], afterScript: [], needs: null, dependencies: [],
  cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [], interruptible: false,
});

export async function seed(store: Store) {
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

/** Defines the contract tests; `open` returns a fresh, empty store (closed by the caller's cleanup). */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name} (Store contract)`, () => {
    it('finds users by token digest, never by a wrong one', async () => {
      const store = await open();
      const user = await store.createUser({ username: 'root', name: 'Admin', email: 'a@b', isAdmin: true });
      await store.addPersonalAccessToken(user.id, 'initial', 'digest-1', ['api']);
      expect((await store.userByTokenDigest('digest-1'))?.username).toBe('root');
      expect(await store.userByTokenDigest('digest-2')).toBeUndefined();
      expect(await store.countUsers()).toBe(1);
    });

    it('numbers pipelines per project and stores jobs with their spec', async () => {
      const store = await open();
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
      const store = await open();
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
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      const enc = new TextEncoder();
      expect(await store.appendTrace(job!.id, 0, enc.encode('hello '))).toEqual({ ok: true, size: 6 });
      expect(await store.appendTrace(job!.id, 3, enc.encode('xx'))).toEqual({ ok: false, size: 6 });
      expect(await store.appendTrace(job!.id, 6, enc.encode('world'))).toEqual({ ok: true, size: 11 });
      expect((await store.readTrace(job!.id)).toString()).toBe('hello world');
    });

    it('upserts and deletes variables', async () => {
      const store = await open();
      const { project } = await seed(store);
      const v = { projectId: project.id, key: 'K', value: '1', variableType: 'env_var' as const, masked: false, protected: false, raw: false, environmentScope: '*', description: null };
      await store.putVariable(v);
      await store.putVariable({ ...v, value: '2', masked: true });
      expect(await store.getVariable(project.id, 'K')).toMatchObject({ value: '2', masked: true });
      expect(await store.deleteVariable(project.id, 'K')).toBe(true);
      expect(await store.listVariables(project.id)).toEqual([]);
    });

    it('clones a job for retry and marks the old one', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      const clone = await store.cloneJobForRetry(job!, null);
      expect(clone.status).toBe('created');
      const jobs = await store.jobsOfPipeline(pipeline.id);
      expect(jobs.map((j) => [j.name, j.retried])).toEqual([['a', true], ['a', false]]);
    });

    it('reads a trace from any byte offset, inside or between chunks', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      const enc = new TextEncoder();
      await store.appendTrace(job!.id, 0, enc.encode('hello '));
      await store.appendTrace(job!.id, 6, enc.encode('world'));
      expect((await store.readTrace(job!.id, 0)).toString()).toBe('hello world');
      expect((await store.readTrace(job!.id, 3)).toString()).toBe('lo world');
      expect((await store.readTrace(job!.id, 6)).toString()).toBe('world');
      expect((await store.readTrace(job!.id, 8)).toString()).toBe('rld');
      expect((await store.readTrace(job!.id, 11)).length).toBe(0);
      expect((await store.readTrace(job!.id, 99)).length).toBe(0);
    });

    it('stores scheduled_at and finds jobs by status', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      await store.updateJob(job!.id, { status: 'scheduled', scheduledAt: '2030-01-01T00:00:00.000Z' });
      expect((await store.jobsWithStatus(['scheduled', 'waiting_for_resource'])).map((j) => [j.id, j.scheduledAt]))
        .toEqual([[job!.id, '2030-01-01T00:00:00.000Z']]);
      expect(await store.jobsWithStatus(['running'])).toEqual([]);
      expect(await store.jobsWithStatus([])).toEqual([]);
    });

    it('creates a resource group once and updates its process mode', async () => {
      const store = await open();
      const { project } = await seed(store);
      const first = await store.ensureResourceGroup(project.id, 'production');
      expect(first).toMatchObject({ key: 'production', processMode: 'unordered', projectId: project.id });
      expect((await store.ensureResourceGroup(project.id, 'production')).id).toBe(first.id);
      expect(await store.resourceGroup(project.id, 'staging')).toBeUndefined();
      expect((await store.updateResourceGroup(project.id, 'production', 'oldest_first'))?.processMode).toBe('oldest_first');
      expect(await store.updateResourceGroup(project.id, 'nope', 'oldest_first')).toBeUndefined();
      expect((await store.resourceGroups(project.id)).map((g) => g.key)).toEqual(['production']);
    });

    it('applies several job changes in one call', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const second = await store.createPipeline({ ...pipeline, source: 'web' }, [
        { name: 'b', stage: 'test', stageIndex: 1, status: 'created', spec: spec('b'), userId: null },
        { name: 'c', stage: 'test', stageIndex: 1, status: 'created', spec: spec('c'), userId: null },
      ]);
      const jobs = await store.jobsOfPipeline(second.id);
      await store.updateJobs(jobs.map((j) => ({ id: j.id, change: { status: 'pending' as const, queuedAt: '2030-01-01T00:00:00.000Z' } })));
      await store.updateJobs([]);
      expect((await store.pendingJobs()).map((j) => j.name)).toEqual(['b', 'c']);
    });

    it('records the report time with a trace chunk', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      expect(await store.appendTrace(job!.id, 0, new TextEncoder().encode('x'), '2030-01-01T00:00:00.000Z')).toEqual({ ok: true, size: 1 });
      expect((await store.jobById(job!.id))?.updatedAt).toBe('2030-01-01T00:00:00.000Z');
      expect(await store.traceSize(job!.id)).toBe(1);
    });

    it('gives a job to one of many racing runners, and one racing trace append wins', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      await store.updateJob(job!.id, { status: 'pending', queuedAt: new Date().toISOString() });
      const won = await Promise.all(Array.from({ length: 8 }, (_, i) => store.assignJob(job!.id, i + 1, `tok-${i}`, 'now')));
      expect(won.filter(Boolean)).toHaveLength(1);
      const enc = new TextEncoder();
      const appended = await Promise.all(Array.from({ length: 6 }, (_, i) => store.appendTrace(job!.id, 0, enc.encode(`chunk ${i}`))));
      expect(appended.filter((r) => r.ok)).toHaveLength(1);
      expect((await store.readTrace(job!.id)).toString()).toMatch(/^chunk \d$/);
    });

    it('keeps settings, runners and artifacts', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      expect(await store.getSetting('k')).toBe('v2');
      const runner = await store.createRunner({
        description: 'r', tags: ['docker'], runUntagged: false, locked: false, accessLevel: 'not_protected', paused: false,
        maximumTimeout: null, runnerType: 'instance_type', projectId: null,
      }, 'runner-digest');
      await store.touchRunner(runner.id, { name: 'gitlab-runner' }, '2030-01-01T00:00:00.000Z');
      expect(await store.runnerByTokenDigest('runner-digest')).toMatchObject({ tags: ['docker'], runUntagged: false, contactedAt: '2030-01-01T00:00:00.000Z', info: { name: 'gitlab-runner' } });
      const [job] = await store.jobsOfPipeline(pipeline.id);
      const big = 3 * 1024 * 1024 * 1024;
      await store.putArtifact({ jobId: job!.id, fileType: 'archive', fileFormat: 'zip', filename: 'a.zip', size: big, expireAt: null });
      expect(await store.artifactsOfJob(job!.id)).toMatchObject([{ fileType: 'archive', size: big }]);
      await store.deleteRunner(runner.id);
      expect(await store.runnerById(runner.id)).toBeUndefined();
    });

    it('lists runners by filter and updates their settings', async () => {
      const store = await open();
      const { project } = await seed(store);
      const base = {
        description: 'shared', tags: ['docker'], runUntagged: false, locked: false, accessLevel: 'not_protected' as const, paused: false,
        maximumTimeout: null, runnerType: 'instance_type' as const, projectId: null,
      };
      const shared = await store.createRunner(base, 'd-1');
      const own = await store.createRunner({ ...base, description: 'own', runnerType: 'project_type', projectId: project.id, paused: true }, 'd-2');
      const elsewhere = await store.createProject({ ...project, name: 'web', path: 'web', fullPath: 'grp/web' });
      const other = await store.createRunner({ ...base, description: 'other', runnerType: 'project_type', projectId: elsewhere.id }, 'd-3');
      expect((await store.listRunners()).map((r) => r.id)).toEqual([shared.id, own.id, other.id]);
      expect((await store.listRunners({ runnerType: 'project_type' })).map((r) => r.id)).toEqual([own.id, other.id]);
      expect((await store.listRunners({ usableByProjectId: project.id })).map((r) => r.id)).toEqual([shared.id, own.id]);
      expect((await store.listRunners({ paused: true, usableByProjectId: project.id })).map((r) => r.id)).toEqual([own.id]);

      const updated = await store.updateRunner(shared.id, {
        description: 'renamed', paused: true, tags: ['a', 'b'], runUntagged: true, locked: true, accessLevel: 'ref_protected', maximumTimeout: 3600,
      });
      expect(updated).toMatchObject({ id: shared.id, description: 'renamed', paused: true, tags: ['a', 'b'], runUntagged: true, locked: true, accessLevel: 'ref_protected', maximumTimeout: 3600 });
      expect(await store.runnerByTokenDigest('d-1')).toEqual(updated);
      // Only the given fields change; null clears the timeout.
      expect(await store.updateRunner(shared.id, { maximumTimeout: null })).toMatchObject({ description: 'renamed', tags: ['a', 'b'], maximumTimeout: null });
      expect(await store.updateRunner(shared.id, {})).toMatchObject({ description: 'renamed' });
      expect(await store.updateRunner(99999, { paused: false })).toBeUndefined();
      expect(await store.updateRunner(99999, {})).toBeUndefined();
    });

    it('keeps workflow:auto_cancel:on_job_failure on the pipeline', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      expect(pipeline.autoCancelOnJobFailure).toBe('none');
      const all = await store.createPipeline({ ...pipeline, autoCancelOnJobFailure: 'all' }, []);
      expect(all.autoCancelOnJobFailure).toBe('all');
      expect((await store.pipelineById(all.id))?.autoCancelOnJobFailure).toBe('all');
      expect((await store.pipelineById(pipeline.id))?.autoCancelOnJobFailure).toBe('none');
    });

    it('links a child pipeline to the trigger job that created it', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [bridge] = await store.jobsOfPipeline(pipeline.id);
      expect(pipeline.parentJobId).toBeNull();
      expect(await store.childPipelineOf(bridge!.id)).toBeUndefined();
      const child = await store.createPipeline({ ...pipeline, source: 'parent_pipeline', parentJobId: bridge!.id }, []);
      expect(child.parentJobId).toBe(bridge!.id);
      expect((await store.pipelineById(child.id))?.parentJobId).toBe(bridge!.id);
      const retriedChild = await store.createPipeline({ ...pipeline, source: 'parent_pipeline', parentJobId: bridge!.id }, []);
      expect((await store.childPipelineOf(bridge!.id))?.id).toBe(retriedChild.id);
    });

    it('stores dotenv variables with their artifact and replaces them on a new upload', async () => {
      const store = await open();
      const { pipeline } = await seed(store);
      const [job] = await store.jobsOfPipeline(pipeline.id);
      const artifact = { jobId: job!.id, fileType: 'dotenv', fileFormat: 'gzip', filename: '.env.gz', size: 20, expireAt: null };
      expect(await store.dotenvVariables(job!.id)).toEqual([]);
      await store.putArtifact(artifact, [{ key: 'B', value: '2' }, { key: 'A', value: 'x=y' }]);
      expect(await store.dotenvVariables(job!.id)).toEqual([{ key: 'B', value: '2' }, { key: 'A', value: 'x=y' }]);
      await store.putArtifact({ ...artifact, fileType: 'archive' });
      expect(await store.dotenvVariables(job!.id)).toHaveLength(2);
      await store.putArtifact(artifact, [{ key: 'C', value: '' }]);
      expect(await store.dotenvVariables(job!.id)).toEqual([{ key: 'C', value: '' }]);
      expect((await store.artifactsOfJob(job!.id)).map((a) => a.fileType)).toEqual(['archive', 'dotenv']);
    });
  });
}

/**
 * Rows a version-6 database had for the stop-gaps migration 7 replaces (settings per pipeline and
 * per runner), as plain SQL both dialects run; checked by expectStopGapsMigrated.
 */
export const VERSION_6_STOP_GAP_ROWS = `
  INSERT INTO projects (name, path, namespace_path, full_path, default_branch, visibility, ci_config_path, pipeline_iid, created_at)
    VALUES ('app', 'app', 'grp', 'grp/app', 'main', 'private', '.gitlab-ci.yml', 2, '2030-01-01T00:00:00.000Z');
  INSERT INTO pipelines (project_id, iid, ref, tag, sha, before_sha, source, status, created_at, updated_at)
    VALUES (1, 1, 'main', 0, 'a', 'b', 'push', 'running', 'x', 'x'), (1, 2, 'main', 0, 'a', 'b', 'push', 'running', 'x', 'x');
  INSERT INTO runners (token_digest, description, tags, run_untagged, locked, access_level, paused, maximum_timeout, runner_type, created_at)
    VALUES ('d1', 'old', '["x"]', 1, 0, 'not_protected', 0, NULL, 'instance_type', 'x'),
           ('d2', 'kept', '["y"]', 0, 1, 'ref_protected', 1, 900, 'instance_type', 'x');
  INSERT INTO settings (key, value) VALUES
    ('pipeline_auto_cancel_on_job_failure:2', 'all'),
    ('runner_admin:1', '{"description":"new","paused":true,"tags":["a","b"],"runUntagged":false,"locked":true,"accessLevel":"ref_protected","maximumTimeout":3600}'),
    ('runner_admin:2', ''),
    ('runner_admin:7', '{"paused":true}'),
    ('other', 'v');
`;

export async function expectStopGapsMigrated(store: Store): Promise<void> {
  expect((await store.pipelineById(1))?.autoCancelOnJobFailure).toBe('none');
  expect((await store.pipelineById(2))?.autoCancelOnJobFailure).toBe('all');
  expect(await store.runnerById(1)).toMatchObject({
    description: 'new', paused: true, tags: ['a', 'b'], runUntagged: false, locked: true, accessLevel: 'ref_protected', maximumTimeout: 3600,
  });
  expect(await store.runnerById(2)).toMatchObject({
    description: 'kept', paused: true, tags: ['y'], runUntagged: false, locked: true, accessLevel: 'ref_protected', maximumTimeout: 900,
  });
  for (const key of ['pipeline_auto_cancel_on_job_failure:2', 'runner_admin:1', 'runner_admin:2', 'runner_admin:7']) {
    expect(await store.getSetting(key)).toBeUndefined();
  }
  expect(await store.getSetting('other')).toBe('v');
}
