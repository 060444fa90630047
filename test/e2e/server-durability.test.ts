// Durability of the coordinator (issue 5): kill -9 the real `drydock server` (SQLite) again and again
// while protocol-exact runners take jobs and stream traces, restart it on the same data dir, and check
// that nothing acknowledged is lost, running jobs resume or are failed with a reason, and every
// pipeline ends. Needs dist/ (npx tsc -p tsconfig.json).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { authedUrl, crashLoop, freePort, git, jobRequestBody, ServerProcess, workingCopy } from './server-durability-kit.js';

const STALE_SECONDS = 5;
const cleanup: string[] = [];
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.kill();
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

describe('drydock server durability (kill -9, SQLite)', () => {
  it('keeps every acknowledged pipeline, state and trace byte; resumes or fails running jobs; nothing stuck', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'drydock-durability-'));
    cleanup.push(data);
    server = new ServerProcess(data, await freePort(), ['--long-poll', '1', '--stale-job-seconds', String(STALE_SECONDS)]);
    await crashLoop(server, cleanup);
  });

  it('finishes pipeline processing that a crash cut off between a job update and the next stage', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'drydock-durability-'));
    cleanup.push(data);
    await server?.kill();
    server = new ServerProcess(data, await freePort(), ['--long-poll', '0']);
    const srv = server;
    await srv.start();
    const creds = await srv.credentials();
    const headers = { 'PRIVATE-TOKEN': creds.admin_token, 'content-type': 'application/json' };
    const project = await (await fetch(`${srv.url}/api/v4/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'cut', namespace: 'team' }) })).json() as { id: number };
    const reg = await fetch(`${srv.url}/api/v4/runners`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: creds.runner_registration_token }),
    });
    const runnerToken = ((await reg.json()) as { token: string }).token;
    const wc = await workingCopy();
    cleanup.push(wc.dir);
    await wc.commit({ '.gitlab-ci.yml': 'build: { stage: build, script: [b] }\ndeploy: { stage: deploy, script: [d] }\n' }, 'initial');
    await git(wc.dir, ['push', '--quiet', authedUrl(srv.url, 'dev', creds.admin_token, 'team/cut'), 'HEAD:main']);
    const request = () => fetch(`${srv.url}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jobRequestBody(runnerToken)) });
    const first = await request();
    expect(first.status).toBe(201);
    const build = (await first.json()) as { id: number; token: string };

    // The crash window: the job's final status is committed, the processing that enqueues the next stage is not.
    await srv.kill();
    const db = new BetterSqlite3(path.join(data, 'drydock.db'));
    db.prepare("UPDATE jobs SET status = 'success', finished_at = ? WHERE id = ?").run(new Date().toISOString(), build.id);
    db.close();
    await srv.start();

    const next = await request();
    expect(next.status).toBe(201);
    const deploy = (await next.json()) as { id: number; token: string; job_info: { name: string } };
    expect(deploy.job_info.name).toBe('deploy');
    const put = await fetch(`${srv.url}/api/v4/jobs/${deploy.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', 'JOB-TOKEN': deploy.token }, body: JSON.stringify({ token: deploy.token, state: 'success' }),
    });
    expect(put.status).toBe(200);
    const pipelines = await (await fetch(`${srv.url}/api/v4/projects/${project.id}/pipelines`, { headers })).json() as Array<{ status: string }>;
    expect(pipelines.map((p) => p.status)).toEqual(['success']);
  });
});

