// `drydock pipeline list|show|cancel|retry` and `drydock job log [-f]|retry|cancel|play` through the
// real CLI (node bin/drydock.js) against a running server driven by a test runner.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/run-cli.js';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

let t: TestServer;
let runnerToken: string;
let cwd: string;
let projectId: number;
const cleanup: string[] = [];
const PROJECT = 'cli/app';

const CI = [
  'stages: [build, test, deploy]',
  'build:\n  stage: build\n  script: [make]',
  'test:\n  stage: test\n  script: [make test]',
  'deploy:\n  stage: deploy\n  when: manual\n  script: [make deploy]',
].join('\n');

function cli(args: string[], onStdout?: (chunk: string) => void): Promise<CliResult> {
  return runCli(args, {
    cwd, timeoutMs: 60_000, env: { DRYDOCK_URL: t.url, DRYDOCK_TOKEN: t.adminToken },
    ...(onStdout && { onStdout: (c: string) => onStdout(c) }),
  });
}

async function takeJob(): Promise<{ id: number; token: string; name: string }> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  expect(r.status).toBe(201);
  return { id: r.json.id, token: r.json.token, name: r.json.job_info.name };
}

async function patch(job: { id: number; token: string }, offset: number, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  const r = await t.api('PATCH', `/api/v4/jobs/${job.id}/trace`, bytes, {
    'JOB-TOKEN': job.token, 'content-type': 'text/plain', 'Content-Range': `${offset}-${offset + bytes.length - 1}`,
  });
  expect(r.status).toBe(202);
}

async function pipelines(): Promise<Array<{ id: number; status: string }>> {
  return (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`)).json;
}

/** Resolves when `predicate(stdout)` holds (the CLI printed it), so the test acts only after that. */
function waitForOutput() {
  let out = '';
  const waiters: Array<{ pred: (s: string) => boolean; resolve: () => void }> = [];
  return {
    onStdout(chunk: string) {
      out += chunk;
      for (const w of [...waiters]) if (w.pred(out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
    until(pred: (s: string) => boolean): Promise<void> {
      if (pred(out)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

beforeAll(async () => {
  t = await startTestServer();
  cwd = await mkdtemp(path.join(tmpdir(), 'drydock-cli-pipelines-'));
  cleanup.push(cwd);
  runnerToken = (await t.api('POST', '/api/v4/runners', { token: t.registrationToken, run_untagged: true })).json.token;
  const created = await t.admin('POST', '/api/v4/projects', { name: 'app', namespace: 'cli' });
  projectId = created.json.id;
  const wc = await workingCopy({ '.gitlab-ci.yml': CI });
  cleanup.push(wc);
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'dev', t.adminToken, PROJECT), 'main']);
});

afterAll(async () => {
  await t?.close();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('drydock pipeline and job commands', () => {
  it('follows a job log live with job log -f and exits with the job\'s status', async () => {
    const [pl] = await pipelines();
    const jobs = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pl!.id}/jobs`)).json as Array<{ id: number; name: string }>;
    const build = jobs.find((j) => j.name === 'build')!;

    const out = waitForOutput();
    const following = cli(['job', 'log', '-f', String(build.id), '--project', PROJECT, '--json'], (c) => out.onStdout(c));
    await out.until((s) => s.includes('"status":"pending"'));
    const job = await takeJob();
    expect(job.id).toBe(build.id);
    await out.until((s) => s.includes('"status":"running"'));
    await patch(job, 0, '$ make\n');
    // The CLI shows the first chunk before the runner sends the second: it follows, it does not wait.
    await out.until((s) => s.includes('"text":"$ make\\n"'));
    await patch(job, 7, 'compiling ✓\n');
    await out.until((s) => s.includes('compiling'));
    await t.api('PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state: 'failed', failure_reason: 'script_failure', exit_code: 2 });
    const r = await following;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; status?: string; text?: string; offset?: number });
    expect(events.filter((e) => e.event === 'append').map((e) => [e.offset, e.text])).toEqual([[0, '$ make\n'], [7, 'compiling ✓\n']]);
    expect(events.filter((e) => e.event === 'status').map((e) => e.status)).toEqual(['pending', 'running', 'failed']);
    expect(events.at(-1)).toEqual({ event: 'end' });

    // Plain text: exactly the log; a finished job replays and ends at once.
    const plain = await cli(['job', 'log', '-f', String(build.id), '--project', String(projectId)]);
    expect(plain.stdout).toBe('$ make\ncompiling ✓\n');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`job ${build.id} failed`);
    const once = await cli(['job', 'log', String(build.id), '--project', PROJECT, '--json']);
    expect(JSON.parse(once.stdout)).toEqual({ id: build.id, name: 'build', status: 'failed', trace: '$ make\ncompiling ✓\n' });
  });

  it('lists and shows pipelines, with filters and --json', async () => {
    const list = await cli(['pipeline', 'list', '--project', PROJECT, '--json']);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as Array<{ id: number; status: string; ref: string }>;
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ status: 'failed', ref: 'main' });
    const text = await cli(['pipeline', 'list', '--project', PROJECT]);
    expect(text.stdout).toMatch(new RegExp(`^ID +IID +STATUS +REF[^\\n]*\\n${parsed[0]!.id} +#1 +failed +main `));
    expect(JSON.parse((await cli(['pipeline', 'list', '--project', PROJECT, '--status', 'success', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['pipeline', 'list', '--project', PROJECT, '--ref', 'other', '--json'])).stdout)).toEqual([]);

    const show = await cli(['pipeline', 'show', String(parsed[0]!.id), '--project', PROJECT, '--json']);
    const detail = JSON.parse(show.stdout) as { id: number; jobs: Array<{ name: string; status: string }> };
    expect(detail.jobs.map((j) => [j.name, j.status])).toEqual([['build', 'failed'], ['test', 'skipped'], ['deploy', 'skipped']]);
    const human = await cli(['pipeline', 'show', String(parsed[0]!.id), '--project', PROJECT]);
    expect(human.stdout).toContain(`pipeline ${parsed[0]!.id} (#1) failed`);
    expect(human.stdout).toMatch(/build +build +failed \(script_failure\)/);
  });

  it('retries and cancels pipelines and jobs, and plays a manual job', async () => {
    const [pl] = await pipelines();
    const retried = await cli(['pipeline', 'retry', String(pl!.id), '--project', PROJECT, '--json']);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ id: pl!.id, status: 'pending' });
    const build = await takeJob();
    expect(build.name).toBe('build');
    await t.api('PUT', `/api/v4/jobs/${build.id}`, { token: build.token, state: 'success' });
    const test = await takeJob();
    await t.api('PUT', `/api/v4/jobs/${test.id}`, { token: test.token, state: 'success' });

    const jobs = (await t.admin('GET', `/api/v4/projects/${projectId}/pipelines/${pl!.id}/jobs`)).json as Array<{ id: number; name: string; status: string }>;
    const deploy = jobs.find((j) => j.name === 'deploy')!;
    expect(deploy.status).toBe('manual');
    const played = await cli(['job', 'play', String(deploy.id), '--project', PROJECT]);
    expect(played.stdout).toBe(`job ${deploy.id} (deploy): pending\n`);
    const again = await cli(['job', 'play', String(deploy.id), '--project', PROJECT]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Unplayable Job');

    const canceledJob = await cli(['job', 'cancel', String(deploy.id), '--project', PROJECT, '--json']);
    expect(JSON.parse(canceledJob.stdout)).toMatchObject({ id: deploy.id, status: 'canceled' });
    const retriedJob = JSON.parse((await cli(['job', 'retry', String(deploy.id), '--project', PROJECT, '--json'])).stdout) as { id: number; status: string };
    expect(retriedJob.id).toBeGreaterThan(deploy.id);
    expect(retriedJob.status).toBe('pending');
    const canceled = await cli(['pipeline', 'cancel', String(pl!.id), '--project', PROJECT]);
    expect(canceled.code).toBe(0);
    // deploy is manual, so allowed to fail: its cancel leaves the pipeline successful (with a warning).
    expect(canceled.stdout).toBe(`pipeline ${pl!.id}: success\n`);
    expect((await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${retriedJob.id}`)).json.status).toBe('canceled');
  });

  it('explains bad tokens, unknown ids, an unreachable server and bad usage', async () => {
    const denied = await runCli(['pipeline', 'list', '--project', PROJECT, '--url', t.url, '--token', 'wrong'], { cwd, env: { DRYDOCK_TOKEN: '' } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('401 Unauthorized');
    expect(denied.stderr).not.toMatch(/\n\s+at /);
    const missing = await cli(['pipeline', 'show', '999999', '--project', PROJECT]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 Not Found: pipeline 999999 of project cli/app does not exist');
    const noProject = await cli(['job', 'log', '1', '--project', 'cli/nope']);
    expect(noProject.stderr).toContain('404 Not Found');
    const down = await runCli(['pipeline', 'list', '--project', PROJECT, '--url', 'http://127.0.0.1:9', '--token', 'x'], { cwd });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the Drydock server at http://127.0.0.1:9');
    const noToken = await runCli(['pipeline', 'list', '--project', PROJECT, '--url', t.url], { cwd, env: { DRYDOCK_TOKEN: '' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no token');
    const badId = await cli(['job', 'retry', 'abc', '--project', PROJECT]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('job abc: expected a numeric id');
    const badStatus = await cli(['pipeline', 'list', '--project', PROJECT, '--status', 'great']);
    expect(badStatus.code).toBe(2);
  });
});
