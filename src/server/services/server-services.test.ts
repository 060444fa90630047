import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { JobRecord, ProjectRecord, RunnerRecord } from '../store/store.js';
import { diffRefs } from './handle-push.js';
import { runnerCanRun } from './job-queue.js';
import { KeyedMutex } from './keyed-mutex.js';
import { jobVariables, prePipelineVariables, slugify } from './predefined-variables.js';
import { QueueNotifier } from './queue-notifier.js';
import { staleReason } from './stale-jobs.js';

const runner = (over: Partial<RunnerRecord> = {}): RunnerRecord => ({
  id: 1, description: '', tags: [], runUntagged: true, locked: false, accessLevel: 'not_protected', paused: false,
  maximumTimeout: null, runnerType: 'instance_type', projectId: null, contactedAt: null, info: {}, createdAt: '', ...over,
});
const job = (tags: string[], projectId = 1): JobRecord => ({
  id: 1, pipelineId: 1, projectId, name: 'j', stage: 'test', stageIndex: 0, status: 'pending', failureReason: null, exitCode: null,
  runnerId: null, retried: false, userId: null, createdAt: '', queuedAt: null, startedAt: null, finishedAt: null, updatedAt: null, scheduledAt: null,
  spec: { tags } as unknown as JobSpec,
});
const project: ProjectRecord = {
  id: 3, name: 'My App', path: 'my-app', namespacePath: 'Group/Sub', fullPath: 'Group/Sub/my-app', description: 'd',
  defaultBranch: 'main', visibility: 'private', ciConfigPath: '.gitlab-ci.yml', creatorId: null, createdAt: '',
};

describe('runnerCanRun', () => {
  it('matches tags as a subset and untagged jobs only with run_untagged', () => {
    expect(runnerCanRun(runner(), job([]), false)).toBe(true);
    expect(runnerCanRun(runner({ runUntagged: false, tags: ['a'] }), job([]), false)).toBe(false);
    expect(runnerCanRun(runner({ tags: ['a', 'b'] }), job(['a']), false)).toBe(true);
    expect(runnerCanRun(runner({ tags: ['a'] }), job(['a', 'b']), false)).toBe(false);
  });
  it('honours paused, ref_protected and project runners', () => {
    expect(runnerCanRun(runner({ paused: true }), job([]), true)).toBe(false);
    expect(runnerCanRun(runner({ accessLevel: 'ref_protected' }), job([]), false)).toBe(false);
    expect(runnerCanRun(runner({ accessLevel: 'ref_protected' }), job([]), true)).toBe(true);
    expect(runnerCanRun(runner({ runnerType: 'project_type', projectId: 2 }), job([], 1), false)).toBe(false);
    expect(runnerCanRun(runner({ runnerType: 'project_type', projectId: 1 }), job([], 1), false)).toBe(true);
  });
});

describe('predefined variables', () => {
  const commit = { message: 'Title line\n\nBody text', timestamp: '2024-01-01T00:00:00Z', authorName: 'Dev', authorEmail: 'dev@x' };
  it('sets server, project and commit variables', () => {
    const vars = new Map(prePipelineVariables('http://ci.example:8080', project, {
      ref: 'feature/X', refType: 'branch', sha: 'abcdef0123456789', beforeSha: '0'.repeat(40), source: 'push', protectedRef: false, commit,
    }).map((v) => [v.key, v.value]));
    expect(vars.get('CI_SERVER_HOST')).toBe('ci.example');
    expect(vars.get('CI_SERVER_PORT')).toBe('8080');
    expect(vars.get('CI_API_V4_URL')).toBe('http://ci.example:8080/api/v4');
    expect(vars.get('CI_PROJECT_PATH_SLUG')).toBe('group-sub-my-app');
    expect(vars.get('CI_PROJECT_ROOT_NAMESPACE')).toBe('Group');
    expect(vars.get('CI_COMMIT_REF_SLUG')).toBe('feature-x');
    expect(vars.get('CI_COMMIT_SHORT_SHA')).toBe('abcdef01');
    expect(vars.get('CI_COMMIT_TITLE')).toBe('Title line');
    expect(vars.get('CI_COMMIT_DESCRIPTION')).toBe('Body text');
    expect(vars.get('CI_COMMIT_BRANCH')).toBe('feature/X');
    expect(vars.has('CI_COMMIT_TAG')).toBe(false);
  });
  it('embeds the job token in CI_REPOSITORY_URL and masks it', () => {
    const vars = jobVariables('https://ci.example/gitlab', project, {
      jobId: 9, jobName: 'build 1/2', stage: 'build', token: 'glcbt-1_tok', pipelineId: 4, pipelineIid: 2, pipelineCreatedAt: 'c',
      startedAt: 's', runnerId: 1, runnerDescription: 'r', runnerTags: ['a'], manual: false, user: undefined,
    });
    const byKey = new Map(vars.map((v) => [v.key, v]));
    expect(byKey.get('CI_REPOSITORY_URL')?.value).toBe('https://gitlab-ci-token:glcbt-1_tok@ci.example/gitlab/Group/Sub/my-app.git');
    expect(byKey.get('CI_JOB_TOKEN')).toMatchObject({ masked: true, public: false });
    expect(byKey.get('CI_JOB_NAME_SLUG')?.value).toBe('build-1-2');
    expect(byKey.get('CI_RUNNER_TAGS')?.value).toBe('["a"]');
    expect(slugify('--A__b--')).toBe('a--b');
  });
});

describe('diffRefs', () => {
  it('finds created, updated and deleted refs', () => {
    const before = new Map([['refs/heads/main', 'a'], ['refs/heads/old', 'o']]);
    const after = new Map([['refs/heads/main', 'b'], ['refs/tags/v1', 't']]);
    expect(diffRefs(before, after)).toEqual([
      { ref: 'refs/heads/main', before: 'a', after: 'b' },
      { ref: 'refs/tags/v1', before: '0'.repeat(40), after: 't' },
      { ref: 'refs/heads/old', before: 'o', after: '0'.repeat(40) },
    ]);
  });
});

describe('QueueNotifier and KeyedMutex', () => {
  it('wakes a waiter on tick and returns at once when the version already changed', async () => {
    const q = new QueueNotifier();
    const seen = q.current();
    const waiting = q.waitForChange(seen, 60_000, new AbortController().signal);
    q.tick();
    await waiting;
    expect(q.current()).not.toBe(seen);
    await q.waitForChange(seen, 60_000, new AbortController().signal);
  });
  it('runs work for one key one at a time, in order', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const slow = m.run('k', async () => { await new Promise((r) => setTimeout(r, 20)); log.push('first'); });
    const fast = m.run('k', async () => { log.push('second'); });
    const failing = m.run('k', async () => { throw new Error('boom'); });
    const after = m.run('k', async () => { log.push('third'); });
    await Promise.all([slow, fast, after, failing.catch(() => undefined)]);
    expect(log).toEqual(['first', 'second', 'third']);
  });
});

describe('staleReason', () => {
  const limits = { noUpdateSeconds: 60, timeoutGraceSeconds: 30 };
  const running = (over: Partial<JobRecord>): JobRecord => ({ ...job([]), status: 'running', startedAt: '2024-01-01T00:00:00Z', ...over });
  const at = (s: number) => Date.parse('2024-01-01T00:00:00Z') + s * 1000;
  it('drops jobs without updates and jobs far past their timeout', () => {
    expect(staleReason(running({ updatedAt: '2024-01-01T00:00:50Z' }), at(100), 3600, limits)).toBeUndefined();
    expect(staleReason(running({ updatedAt: '2024-01-01T00:00:10Z' }), at(100), 3600, limits)).toBe('no_updates_running');
    expect(staleReason(running({ status: 'canceling', updatedAt: null }), at(100), 3600, limits)).toBe('no_updates_canceling');
    expect(staleReason(running({ updatedAt: '2024-01-01T00:01:30Z' }), at(100), 60, limits)).toBe('server_timeout_running');
  });
});
