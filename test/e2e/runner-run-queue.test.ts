// Several runners and one queue: two `drydock runner run` processes with different tags each take
// only their jobs; a job canceled on the server stops promptly (its processes end, the runner goes
// on); a runner killed mid-job leaves a running job that the server's stale-job sweep fails.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup, createProject, jobTrace, pipelineJobs, push, registerRunner, startRunner, startTestServer, tempDir, waitFor, waitForPipeline, writeConfig,
  type RunnerProcess, type TestServer,
} from './runner-run-kit.js';
import { commitFiles } from './server-kit.js';

let t: TestServer;
let work: string;
const runners: RunnerProcess[] = [];
const wcs: string[] = [];

async function shellRunner(name: string, tags: string[], extra = ''): Promise<RunnerProcess> {
  const token = await registerRunner(t, { tags, runUntagged: false, description: name });
  const dir = await tempDir(`drydock-runner-${name}-`);
  wcs.push(dir);
  const config = await writeConfig(dir, `concurrent = 1\ncheck_interval = 1\n\n[[runners]]\n  name = "${name}"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n${extra}`);
  const r = startRunner(['run', '-c', config, '--working-directory', dir], dir);
  runners.push(r);
  return r;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

beforeAll(async () => {
  t = await startTestServer({ longPollSeconds: 5 });
  work = await tempDir('drydock-runner-queue-');
});

afterAll(async () => {
  for (const r of runners) await r.stop('SIGKILL');
  await t?.close();
  await cleanup(work, ...wcs);
});

describe('drydock runner run: one queue, several runners', () => {
  it('gives each runner only the jobs whose tags it has', async () => {
    const alpha = await shellRunner('alpha', ['alpha']);
    const beta = await shellRunner('beta', ['beta']);
    const p = await createProject(t, 'tagged', {
      '.gitlab-ci.yml': `a1:\n  tags: [alpha]\n  script: [echo "a1 on $CI_RUNNER_SHORT_TOKEN"]\nb1:\n  tags: [beta]\n  script: [echo b1]\na2:\n  tags: [alpha]\n  script: [echo a2]\nb2:\n  tags: [beta]\n  script: [echo b2]\n`,
    });
    wcs.push(p.wc);
    await push(t, p);
    const done = await waitForPipeline(t, p.id, 90_000, alpha);
    expect(done.pipeline.status, `${alpha.stderr()}\n${beta.stderr()}`).toBe('success');
    for (const job of done.jobs) {
      const log = await jobTrace(t, p.id, job.id);
      expect(log).toContain(job.name.startsWith('a') ? 'on alpha ' : 'on beta ');
    }
    expect(alpha.stderr()).not.toMatch(/received job \d+ \(b\d\)/);
    expect(beta.stderr()).not.toMatch(/received job \d+ \(a\d\)/);
  });

  it('keeps taking the pending jobs of one stage while others run (concurrent = 2, long polling)', async () => {
    const token = await registerRunner(t, { tags: ['wide'], runUntagged: false });
    const dir = await tempDir('drydock-runner-wide-');
    wcs.push(dir);
    const config = await writeConfig(dir, `concurrent = 2\ncheck_interval = 1\n\n[[runners]]\n  name = "wide"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n`);
    const r = startRunner(['run', '-c', config, '--working-directory', dir], dir);
    runners.push(r);
    const jobs = Array.from({ length: 4 }, (_, i) => `w${i}:\n  tags: [wide]\n  script: [echo w${i}, sleep 2]\n`).join('');
    const p = await createProject(t, 'wide', { '.gitlab-ci.yml': jobs });
    wcs.push(p.wc);
    await push(t, p);
    const done = await waitForPipeline(t, p.id, 90_000, r);
    expect(done.pipeline.status, r.stderr()).toBe('success');
    expect(r.stderr().match(/received job \d+ \(w\d\)/g)).toHaveLength(4);
    // Two jobs ran at once: a second job was received before the first one finished.
    let running = 0;
    let most = 0;
    for (const line of r.stderr().split('\n')) {
      if (/received job \d+ \(w\d\)/.test(line)) most = Math.max(most, ++running);
      else if (/job \d+ finished/.test(line)) running--;
    }
    expect(most).toBe(2);
  });

  it('stops a job promptly when the server cancels it, and takes the next one', async () => {
    const pidFile = path.join(work, 'cancel.pid');
    const r = await shellRunner('canceler', ['cancel'], `  environment = ["PIDFILE=${pidFile}"]\n`);
    const p = await createProject(t, 'cancelme', {
      '.gitlab-ci.yml': `long:\n  tags: [cancel]\n  script:\n    - echo $$ > "$PIDFILE"\n    - for i in $(seq 1 600); do echo "tick $i"; sleep 1; done\n`,
    });
    wcs.push(p.wc);
    await push(t, p);
    const job = await waitFor(async () => {
      const j = (await pipelineJobs(t, p.id))?.jobs[0];
      return j && j.status === 'running' && (await jobTrace(t, p.id, j.id)).includes('tick 2') ? j : undefined;
    }, 60_000, () => r.stderr());
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(alive(pid)).toBe(true);
    expect((await t.admin('POST', `/api/v4/projects/${p.id}/jobs/${job.id}/cancel`)).status).toBe(201);
    await waitFor(async () => (r.stderr().includes(`job ${job.id} finished`) ? true : undefined), 30_000, () => r.stderr());
    expect(r.stderr()).toContain(`job ${job.id}: the job was canceled on the server; stopping it`);
    expect(alive(pid)).toBe(false);
    expect((await pipelineJobs(t, p.id))?.jobs[0]?.status).toBe('canceled');

    // The runner is free again: the next pipeline runs.
    await commitFiles(p.wc, { '.gitlab-ci.yml': 'quick:\n  tags: [cancel]\n  script: [echo quick]\n' }, 'quick');
    await push(t, p);
    const next = await waitFor(async () => {
      const pj = await pipelineJobs(t, p.id);
      return pj && pj.jobs[0]?.name === 'quick' && pj.pipeline.status === 'success' ? pj : undefined;
    }, 60_000, () => r.stderr());
    expect(next.jobs[0]?.status).toBe('success');
  });

  it('leaves a job that the server fails as stale when the runner is killed mid-job', async () => {
    const pidFile = path.join(work, 'killed.pid');
    const r = await shellRunner('victim', ['victim'], `  environment = ["PIDFILE=${pidFile}"]\n`);
    const p = await createProject(t, 'orphaned', {
      '.gitlab-ci.yml': `long:\n  tags: [victim]\n  script:\n    - echo $$ > "$PIDFILE"\n    - for i in $(seq 1 600); do echo "tick $i"; sleep 1; done\n`,
    });
    wcs.push(p.wc);
    await push(t, p);
    const job = await waitFor(async () => {
      const j = (await pipelineJobs(t, p.id))?.jobs[0];
      return j && j.status === 'running' && (await jobTrace(t, p.id, j.id)).includes('tick 1') ? j : undefined;
    }, 60_000, () => r.stderr());
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await r.stop('SIGKILL');
    try {
      expect((await pipelineJobs(t, p.id))?.jobs[0]?.status).toBe('running');
      const dropped = await t.server.sweepStaleJobs(Date.now() + 2 * 3600_000);
      expect(dropped).toContain(job.id);
      const after = (await pipelineJobs(t, p.id))!;
      expect(after.jobs[0]).toMatchObject({ status: 'failed', failure_reason: 'no_updates_running' });
      expect(after.pipeline.status).toBe('failed');
    } finally {
      // The killed runner could not stop its job's shell: end that process group (started by this test).
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
});
