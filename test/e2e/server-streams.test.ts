// Live views over SSE (job log and pipeline), static lint of workflow-filtered configs, delayed jobs
// and resource groups, over real HTTP and git with a test runner that speaks the runner API.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockClient, type TraceEvent } from '../../src/client/drydock-client.js';
import { readSseEvents, type SseEvent } from '../../src/client/sse-reader.js';
import { startServer } from '../../src/server/app.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

let t: TestServer;
let client: DrydockClient;
let runnerToken: string;
const cleanup: string[] = [];

async function project(name: string, ci: string): Promise<{ id: number; pipelineId: number }> {
  const r = await t.admin('POST', '/api/v4/projects', { name, namespace: 'live' });
  expect(r.status).toBe(201);
  const wc = await workingCopy({ '.gitlab-ci.yml': ci });
  cleanup.push(wc);
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'dev', t.adminToken, `live/${name}`), 'main']);
  const [pl] = (await t.admin('GET', `/api/v4/projects/${r.json.id}/pipelines`)).json;
  return { id: r.json.id, pipelineId: pl.id };
}

async function takeJob(): Promise<{ id: number; token: string }> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  expect(r.status).toBe(201);
  return { id: r.json.id, token: r.json.token };
}

async function patch(job: { id: number; token: string }, offset: number, bytes: Uint8Array): Promise<number> {
  const r = await t.api('PATCH', `/api/v4/jobs/${job.id}/trace`, bytes, {
    'JOB-TOKEN': job.token, 'content-type': 'text/plain', 'Content-Range': `${offset}-${offset + bytes.length - 1}`,
  });
  return r.status;
}

async function collect<T>(events: AsyncIterable<T>, until?: (e: T, all: T[]) => boolean): Promise<T[]> {
  const all: T[] = [];
  for await (const e of events) {
    all.push(e);
    if (until?.(e, all)) break;
  }
  return all;
}

/** An async iterator the test can pull from step by step (to act between events). */
function puller<T>(events: AsyncGenerator<T>) {
  return {
    async next(): Promise<T> {
      const r = await events.next();
      if (r.done) throw new Error('stream ended early');
      return r.value;
    },
    async until(pred: (e: T) => boolean): Promise<T[]> {
      const seen: T[] = [];
      for (;;) {
        const e = await this.next();
        seen.push(e);
        if (pred(e)) return seen;
      }
    },
  };
}

beforeAll(async () => {
  t = await startTestServer();
  client = new DrydockClient({ url: t.url, token: t.adminToken });
  runnerToken = (await t.api('POST', '/api/v4/runners', { token: t.registrationToken, run_untagged: true })).json.token;
});

afterAll(async () => {
  await t?.close();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('live job log over SSE', () => {
  it('sends status, every chunk as it arrives (never a split character), then end', async () => {
    const p = await project('log', 'build:\n  script: [echo hi]\n');
    const [job] = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/jobs`)).json;
    const stream = puller(client.streamJobTrace(p.id, job.id));
    expect(await stream.next()).toEqual({ type: 'status', status: 'pending', finishedAt: null });

    const taken = await takeJob();
    expect(taken.id).toBe(job.id);
    expect(await stream.next()).toEqual({ type: 'status', status: 'running', finishedAt: null });

    const bytes = Buffer.from('héllo → wörld 😀\n', 'utf8');
    const euro = bytes.indexOf(0x86); // inside the 3-byte arrow
    expect(await patch(taken, 0, bytes.subarray(0, euro))).toBe(202);
    expect(await stream.next()).toEqual({ type: 'append', offset: 0, text: 'héllo ' });
    expect(await patch(taken, euro, bytes.subarray(euro))).toBe(202);
    const second = await stream.next();
    expect(second).toEqual({ type: 'append', offset: Buffer.from('héllo ').length, text: '→ wörld 😀\n' });

    await t.api('PUT', `/api/v4/jobs/${taken.id}`, { token: taken.token, state: 'failed', failure_reason: 'script_failure', exit_code: 1 });
    const rest = await stream.until((e) => e.type === 'end');
    expect(rest[0]).toMatchObject({ type: 'status', status: 'failed' });
    expect((rest[0] as Extract<TraceEvent, { type: 'status' }>).finishedAt).toMatch(/^\d{4}-/);
    expect(rest.at(-1)).toEqual({ type: 'end' });

    // A finished job: the stored log from any offset, its status, end; the server closes the stream.
    const replay = await collect(client.streamJobTrace(p.id, job.id, 3));
    expect(replay).toEqual([
      { type: 'append', offset: 3, text: bytes.subarray(3).toString('utf8') },
      expect.objectContaining({ type: 'status', status: 'failed' }),
      { type: 'end' },
    ]);
  });

  it('answers with text/event-stream, 401 without a token, 404 for another project\'s job, 400 for a bad offset', async () => {
    const a = await project('auth-a', 'a:\n  when: manual\n  script: [echo a]\n');
    const b = await project('auth-b', 'b:\n  when: manual\n  script: [echo b]\n');
    const [jobA] = (await t.admin('GET', `/api/v4/projects/${a.id}/pipelines/${a.pipelineId}/jobs`)).json;
    expect((await t.api('GET', `/api/v4/projects/${a.id}/jobs/${jobA.id}/trace/stream`)).status).toBe(401);
    expect((await t.admin('GET', `/api/v4/projects/${b.id}/jobs/${jobA.id}/trace/stream`)).status).toBe(404);
    expect((await t.admin('GET', `/api/v4/projects/${a.id}/jobs/${jobA.id}/trace/stream?offset=-1`)).status).toBe(400);
    const res = await fetch(`${t.url}/api/v4/projects/${a.id}/jobs/${jobA.id}/trace/stream`, { headers: { 'PRIVATE-TOKEN': t.adminToken } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const abort = new AbortController();
    const [first] = await collect(readSseEvents(res.body!, abort.signal), () => true);
    abort.abort();
    expect(first).toEqual({ event: 'status', data: JSON.stringify({ status: 'manual', finished_at: null }) });
  });
});

describe('live pipeline over SSE', () => {
  it('sends the pipeline and its jobs on every change and ends after a final status', async () => {
    const p = await project('pipe', 'stages: [build, test]\nbuild:\n  stage: build\n  script: [echo b]\ntest:\n  stage: test\n  script: [echo t]\n');
    const res = await fetch(`${t.url}/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/stream`, { headers: { 'PRIVATE-TOKEN': t.adminToken } });
    expect(res.status).toBe(200);
    const events = puller(readSseEvents(res.body!));
    const snapshot = async () => {
      const pe = await events.next();
      const je = await events.next();
      expect([pe.event, je.event]).toEqual(['pipeline', 'jobs']);
      return { pipeline: JSON.parse(pe.data), jobs: JSON.parse(je.data) as Array<{ name: string; status: string }> };
    };
    const first = await snapshot();
    const rest = await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}`);
    expect(first.pipeline).toEqual(rest.json);
    expect(first.jobs.map((j) => [j.name, j.status])).toEqual([['build', 'pending'], ['test', 'created']]);

    for (let i = 0; i < 2; i++) {
      const job = await takeJob();
      await t.api('PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state: 'success' });
    }
    const seen: SseEvent[] = await events.until((e) => e.event === 'end');
    const pipelines = seen.filter((e) => e.event === 'pipeline').map((e) => JSON.parse(e.data).status);
    expect(pipelines).toContain('running');
    expect(pipelines.at(-1)).toBe('success');
    const lastJobs = JSON.parse(seen.filter((e) => e.event === 'jobs').at(-1)!.data) as Array<{ status: string }>;
    expect(lastJobs.map((j) => j.status)).toEqual(['success', 'success']);
  });
});

describe('CI lint', () => {
  it('calls a configuration valid when only workflow rules filter it out', async () => {
    const p = await project('lint', 'build:\n  when: manual\n  script: [echo hi]\n');
    const lint = await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, {
      content: 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\nbuild:\n  script: [echo hi]\n', include_jobs: true,
    });
    expect(lint.json).toMatchObject({ valid: true, errors: [] });
    expect(lint.json.jobs.map((j: { name: string }) => j.name)).toEqual(['build']);
    const rulesOnly = await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, { content: 'build:\n  rules: [{ if: $NOPE }]\n  script: [echo]\n' });
    expect(rulesOnly.json).toMatchObject({ valid: true, errors: [] });
    const broken = await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, { content: 'build:\n  stage: nope\n  script: [echo]\n' });
    expect(broken.json.valid).toBe(false);
  });

  it('evaluates rules on a dry run and lints the stored configuration with GET', async () => {
    const p = await project('lint-dry', 'build:\n  when: manual\n  script: [echo hi]\n');
    const filtered = await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, {
      content: 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\nbuild:\n  script: [echo hi]\n', dry_run: true,
    });
    expect(filtered.json).toMatchObject({ valid: false, errors: ['Pipeline filtered out by workflow rules.'] });
    const dry = await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, {
      content: 'a:\n  script: [echo]\nb:\n  rules: [{ if: $CI_COMMIT_BRANCH == "other" }]\n  script: [echo]\n', dry_run: true, include_jobs: true,
    });
    expect(dry.json.valid).toBe(true);
    expect(dry.json.jobs.map((j: { name: string }) => j.name)).toEqual(['a']);
    expect(dry.json.jobs[0].needs).toBeUndefined();
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/ci/lint`, { content: 'a:\n  script: [echo]\n', dry_run: true, ref: 'nope' })).json.valid).toBe(false);

    const stored = await t.admin('GET', `/api/v4/projects/${p.id}/ci/lint?include_jobs=true`);
    expect(stored.json).toMatchObject({ valid: true, errors: [] });
    expect(stored.json.jobs.map((j: { name: string; when: string }) => [j.name, j.when])).toEqual([['build', 'manual']]);
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/ci/lint?content_ref=nope`)).status).toBe(404);
    expect((await t.api('GET', `/api/v4/projects/${p.id}/ci/lint`)).status).toBe(401);
  });
});

describe('delayed jobs', () => {
  it('schedules with scheduled_at; play runs now, unschedule makes it manual, cancel cancels', async () => {
    const ci = ['a:\n  when: delayed\n  start_in: 1 hour\n  script: [echo a]\n', 'b:\n  when: delayed\n  start_in: 1 hour\n  script: [echo b]\n',
      'c:\n  when: delayed\n  start_in: 1 hour\n  script: [echo c]\n'].join('');
    const before = Date.now();
    const p = await project('delayed', ci);
    const jobs = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/jobs`)).json as Array<{ id: number; name: string; status: string; scheduled_at: string }>;
    expect(jobs.map((j) => j.status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    const at = Date.parse(jobs[0]!.scheduled_at);
    expect(at).toBeGreaterThanOrEqual(before + 3600_000);
    expect((await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}`)).json.status).toBe('scheduled');
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken))).status).toBe(204);

    const [a, b, c] = jobs;
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${a!.id}/play`)).json.status).toBe('pending');
    const unscheduled = await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${b!.id}/unschedule`);
    expect(unscheduled.json.status).toBe('manual');
    expect(unscheduled.json.scheduled_at).toBeUndefined();
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${b!.id}/unschedule`)).status).toBe(400);
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${c!.id}/cancel`)).json.status).toBe('canceled');
    const taken = await takeJob();
    expect(taken.id).toBe(a!.id);
    await t.api('PUT', `/api/v4/jobs/${taken.id}`, { token: taken.token, state: 'success' });
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken))).status).toBe(204);
  });

  it('starts a delayed job when its time comes', async () => {
    const p = await project('delayed-timer', 'soon:\n  when: delayed\n  start_in: 1 second\n  script: [echo soon]\n');
    const [job] = (await t.admin('GET', `/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/jobs`)).json;
    expect(job.status).toBe('scheduled');
    // The pipeline stream reports the wake-up (no polling in the test either).
    const res = await fetch(`${t.url}/api/v4/projects/${p.id}/pipelines/${p.pipelineId}/stream`, { headers: { 'PRIVATE-TOKEN': t.adminToken } });
    const abort = new AbortController();
    await collect(readSseEvents(res.body!, abort.signal), (e) => e.event === 'jobs' && JSON.parse(e.data)[0].status === 'pending');
    abort.abort();
    const taken = await takeJob();
    expect(taken.id).toBe(job.id);
    await t.api('PUT', `/api/v4/jobs/${taken.id}`, { token: taken.token, state: 'success' });
  });
});

describe('delayed jobs across a restart', () => {
  it('re-arms scheduled jobs when the server starts again', async () => {
    const own = await startTestServer();
    const dataDir = own.dataDir;
    const r = await own.admin('POST', '/api/v4/projects', { name: 'restart', namespace: 'live' });
    const wc = await workingCopy({ '.gitlab-ci.yml': 'later:\n  when: delayed\n  start_in: 2 seconds\n  script: [echo later]\n' });
    cleanup.push(wc);
    await git(wc, ['push', '--quiet', authedUrl(own.url, 'dev', own.adminToken, 'live/restart'), 'main']);
    await own.server.close(); // keep the data directory
    const again = await startServer({ dataDir, port: 0, logLevel: 'silent', longPollSeconds: 30 });
    try {
      const token = (await (await fetch(`${again.url}/api/v4/runners`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: own.registrationToken }),
      })).json() as { token: string }).token;
      // Long polling returns as soon as the re-armed timer queues the job.
      const res = await fetch(`${again.url}/api/v4/jobs/request`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jobRequestBody(token, { last_update: 'start' })),
      });
      expect(res.status).toBe(201);
      const payload = await res.json() as { job_info: { name: string; project_id: number } };
      expect(payload.job_info).toMatchObject({ name: 'later', project_id: r.json.id });
    } finally {
      await again.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('resource groups', () => {
  it('runs one job of a group at a time; the others wait_for_resource; the REST API shows the group', async () => {
    const ci = 'deploy:\n  resource_group: production\n  script: [echo deploy]\n';
    const first = await project('resources', ci);
    const r2 = await t.admin('POST', `/api/v4/projects/${first.id}/pipeline`, { ref: 'main' });
    expect(r2.status).toBe(201);
    const r3 = await t.admin('POST', `/api/v4/projects/${first.id}/pipeline`, { ref: 'main' });
    const statusOf = async (pid: number) => (await t.admin('GET', `/api/v4/projects/${first.id}/pipelines/${pid}/jobs`)).json[0].status;
    expect(await statusOf(first.pipelineId)).toBe('pending');
    expect(await statusOf(r2.json.id)).toBe('waiting_for_resource');
    expect(r2.json.status).toBe('waiting_for_resource');
    expect(await statusOf(r3.json.id)).toBe('waiting_for_resource');

    const groups = (await t.admin('GET', `/api/v4/projects/${first.id}/resource_groups`)).json;
    expect(groups).toEqual([expect.objectContaining({ key: 'production', process_mode: 'unordered' })]);
    const edited = await t.admin('PUT', `/api/v4/projects/${first.id}/resource_groups/production`, { process_mode: 'newest_first' });
    expect(edited.json.process_mode).toBe('newest_first');
    expect((await t.admin('PUT', `/api/v4/projects/${first.id}/resource_groups/production`, { process_mode: 'sideways' })).status).toBe(400);
    expect((await t.admin('GET', `/api/v4/projects/${first.id}/resource_groups/staging`)).status).toBe(404);
    const upcoming = (await t.admin('GET', `/api/v4/projects/${first.id}/resource_groups/production/upcoming_jobs`)).json;
    expect(upcoming).toHaveLength(2);

    const one = await takeJob();
    expect((await t.admin('GET', `/api/v4/projects/${first.id}/resource_groups/production/current_job`)).json.id).toBe(one.id);
    expect((await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken))).status).toBe(204);
    await t.api('PUT', `/api/v4/jobs/${one.id}`, { token: one.token, state: 'success' });
    // newest_first: the third pipeline's job gets the resource before the second's.
    expect(await statusOf(r3.json.id)).toBe('pending');
    expect(await statusOf(r2.json.id)).toBe('waiting_for_resource');
    // A canceled job holds the resource until its (graceful) runner stops it.
    const two = await takeJob();
    expect((await t.admin('POST', `/api/v4/projects/${first.id}/jobs/${two.id}/cancel`)).json.status).toBe('canceling');
    expect(await statusOf(r2.json.id)).toBe('waiting_for_resource');
    await t.api('PUT', `/api/v4/jobs/${two.id}`, { token: two.token, state: 'failed', failure_reason: 'script_failure' });
    expect(await statusOf(r3.json.id)).toBe('canceled');
    expect(await statusOf(r2.json.id)).toBe('pending');
    const three = await takeJob();
    await t.api('PUT', `/api/v4/jobs/${three.id}`, { token: three.token, state: 'success' });
    expect((await t.admin('GET', `/api/v4/projects/${first.id}/pipelines/${r2.json.id}`)).json.status).toBe('success');
  });
});
