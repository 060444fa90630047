// The runner process's life: run-single with --max-builds and --wait-timeout, config.toml reload
// (a runner added while running gets jobs), SIGTERM waiting for a running job, the shutdown timeout
// failing a job that outlives it, and a kubernetes entry failing its job with a clear message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile } from 'node:fs/promises';
import {
  cleanup, createProject, jobTrace, pipelineJobs, push, registerRunner, startRunner, startTestServer, tempDir, waitFor, waitForPipeline, writeConfig,
  type TestServer,
} from './runner-run-kit.js';

let t: TestServer;
const dirs: string[] = [];

async function dir(name: string): Promise<string> {
  const d = await tempDir(`drydock-runner-${name}-`);
  dirs.push(d);
  return d;
}

async function project(name: string, ci: string): Promise<{ id: number }> {
  const p = await createProject(t, name, { '.gitlab-ci.yml': ci });
  dirs.push(p.wc);
  await push(t, p);
  return p;
}

beforeAll(async () => {
  t = await startTestServer({ longPollSeconds: 5 });
});

afterAll(async () => {
  await t?.close();
  await cleanup(...dirs);
});

describe('drydock runner: process lifecycle', () => {
  it('run-single runs --max-builds jobs from flags, then exits 0', async () => {
    const token = await registerRunner(t, { tags: ['single'], runUntagged: false });
    const p = await project('single', 'one:\n  tags: [single]\n  script: [echo one]\ntwo:\n  tags: [single]\n  script: [echo two]\n');
    const d = await dir('single');
    const r = startRunner(['run-single', '-u', t.url, '-t', token, '--executor', 'shell', '--max-builds', '2', '-d', d], d);
    expect(await r.exited, r.stderr()).toBe(0);
    expect(r.stderr()).toContain('stopped after 2 job(s)');
    expect((await pipelineJobs(t, p.id))?.pipeline.status).toBe('success');
  });

  it('run-single stops after --wait-timeout without a job, and rejects missing flags', async () => {
    const token = await registerRunner(t, { tags: ['idle'], runUntagged: false });
    const d = await dir('idle');
    const r = startRunner(['run-single', '-u', t.url, '-t', token, '--executor', 'shell', '--wait-timeout', '1', '-d', d], d);
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toContain('no job received within 1s; stopping');
    const bad = startRunner(['run-single', '-u', t.url], d);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('run-single needs --token (CI_SERVER_TOKEN), --executor (RUNNER_EXECUTOR)');
  });

  it('reloads config.toml: a runner added while running gets its jobs', async () => {
    const d = await dir('reload');
    const first = await registerRunner(t, { tags: ['reload-a'], runUntagged: false });
    const config = await writeConfig(d, `concurrent = 2\ncheck_interval = 1\n\n[[runners]]\n  name = "a"\n  url = "${t.url}"\n  token = "${first}"\n  executor = "shell"\n`);
    const r = startRunner(['run', '-c', config, '-d', d], d);
    try {
      await waitFor(async () => (r.stderr().includes('runner a ') ? true : undefined), 20_000, () => r.stderr());
      const second = await registerRunner(t, { tags: ['reload-b'], runUntagged: false });
      await appendFile(config, `\n[[runners]]\n  name = "b"\n  url = "${t.url}"\n  token = "${second}"\n  executor = "shell"\n`);
      await waitFor(async () => (r.stderr().includes('configuration reloaded') ? true : undefined), 20_000, () => r.stderr());
      const p = await project('reload', 'bjob:\n  tags: [reload-b]\n  script: [echo from b]\n');
      const done = await waitForPipeline(t, p.id, 60_000, r);
      expect(done.pipeline.status).toBe('success');
      expect(await jobTrace(t, p.id, done.jobs[0]!.id)).toContain('on b ');
      // A broken edit is reported and the previous configuration kept.
      await appendFile(config, '\nconcurrent = "many"\n');
      await waitFor(async () => (r.stderr().includes('could not be reloaded') ? true : undefined), 20_000, () => r.stderr());
    } finally {
      expect(await r.stop('SIGTERM')).toBe(0);
    }
  });

  it('SIGTERM lets a running job finish; past shutdown_timeout the job is failed', async () => {
    const d = await dir('shutdown');
    const token = await registerRunner(t, { tags: ['shutdown'], runUntagged: false });
    const config = await writeConfig(d, `concurrent = 1\ncheck_interval = 1\nshutdown_timeout = 3\n\n[[runners]]\n  name = "s"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n`);
    const p = await project('shutdown', 'short:\n  tags: [shutdown]\n  script: [echo started, sleep 1, echo finished-short]\n');
    let r = startRunner(['run', '-c', config, '-d', d], d);
    await waitFor(async () => ((await pipelineJobs(t, p.id))?.jobs[0]?.status === 'running' ? true : undefined), 30_000, () => r.stderr());
    expect(await r.stop('SIGTERM')).toBe(0);
    const graceful = await pipelineJobs(t, p.id);
    expect(graceful?.jobs[0]?.status, r.stderr()).toBe('success');

    const p2 = await project('shutdown2', 'long:\n  tags: [shutdown]\n  script: [echo started, sleep 120]\n');
    r = startRunner(['run', '-c', config, '-d', d], d);
    await waitFor(async () => {
      const j = (await pipelineJobs(t, p2.id))?.jobs[0];
      return j?.status === 'running' && (await jobTrace(t, p2.id, j.id)).includes('started') ? true : undefined;
    }, 30_000, () => r.stderr());
    expect(await r.stop('SIGTERM')).toBe(0);
    expect(r.stderr()).toContain('aborting 1 job(s) still running');
    const failed = (await pipelineJobs(t, p2.id))!.jobs[0]!;
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'runner_system_failure' });
    expect(await jobTrace(t, p2.id, failed.id)).toContain('the runner was stopped before the job finished');
  });

  it('Ctrl-C twice aborts a running job at once; it is reported failed', async () => {
    const d = await dir('force');
    const token = await registerRunner(t, { tags: ['force'], runUntagged: false });
    const config = await writeConfig(d, `concurrent = 1\ncheck_interval = 1\nshutdown_timeout = 600\n\n[[runners]]\n  name = "f"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "shell"\n`);
    const p = await project('force', 'long:\n  tags: [force]\n  script: [echo started, sleep 120]\n');
    const r = startRunner(['run', '-c', config, '-d', d], d);
    await waitFor(async () => {
      const j = (await pipelineJobs(t, p.id))?.jobs[0];
      return j?.status === 'running' && (await jobTrace(t, p.id, j.id)).includes('started') ? true : undefined;
    }, 30_000, () => r.stderr());
    r.child.kill('SIGINT');
    await waitFor(async () => (r.stderr().includes('SIGINT received') ? true : undefined), 10_000, () => r.stderr());
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toContain('SIGINT received again: aborting running jobs');
    expect((await pipelineJobs(t, p.id))!.jobs[0]).toMatchObject({ status: 'failed', failure_reason: 'runner_system_failure' });
  });

  it('fails a job of a kubernetes runner with runner_configuration_error and says why', async () => {
    const d = await dir('k8s');
    const token = await registerRunner(t, { tags: ['k8s'], runUntagged: false });
    const config = await writeConfig(d, `concurrent = 1\ncheck_interval = 1\n\n[[runners]]\n  name = "k"\n  url = "${t.url}"\n  token = "${token}"\n  executor = "kubernetes"\n  [runners.kubernetes]\n    namespace = "ci"\n    image = "alpine:3.12"\n`);
    const p = await project('k8s', 'kjob:\n  tags: [k8s]\n  script: [echo never]\n');
    const r = startRunner(['run', '-c', config, '-d', d], d);
    try {
      const done = await waitForPipeline(t, p.id, 60_000, r);
      expect(done.jobs[0]).toMatchObject({ status: 'failed', failure_reason: 'runner_configuration_error' });
      expect(await jobTrace(t, p.id, done.jobs[0]!.id)).toContain('the kubernetes executor is not available on this machine');
    } finally {
      expect(await r.stop('SIGTERM')).toBe(0);
    }
  });
});
