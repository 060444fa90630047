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
  });
}
