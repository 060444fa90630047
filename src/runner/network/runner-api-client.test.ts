import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunnerApiClient } from './runner-api-client.js';
import { RunnerApiError } from './runner-api-error.js';

const signal = new AbortController().signal;
const URL_ = 'http://ci.example:8080';

interface Call { url: string; method: string; headers: Headers; body: unknown }

/** A fetch that answers from a list, recording the requests. */
function fakeFetch(...answers: Array<Response | Error>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch: fn as typeof fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

describe('RunnerApiClient', () => {
  it('registers with the token in the body and the runner headers', async () => {
    const f = fakeFetch(json(201, { id: 7, token: 't1_abc', token_expires_at: null }));
    const client = new RunnerApiClient(`${URL_}/`, { fetch: f.fetch, userAgent: 'drydock-runner test' });
    expect(await client.registerRunner({ token: 'reg', description: 'd' }, signal)).toEqual({ id: 7, token: 't1_abc', token_expires_at: null });
    expect(f.calls[0]?.url).toBe(`${URL_}/api/v4/runners`);
    expect(f.calls[0]?.headers.get('user-agent')).toBe('drydock-runner test');
    expect(f.calls[0]?.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(String(f.calls[0]?.body))).toMatchObject({ token: 'reg', description: 'd' });
  });

  it('explains 403 and 410 on register, and 403 on verify', async () => {
    const f = fakeFetch(json(403, { message: '403 Forbidden' }), json(410, { message: '410 Gone' }), json(403, { message: '403 Forbidden' }));
    const client = new RunnerApiClient(URL_, { fetch: f.fetch });
    await expect(client.registerRunner({ token: 'x' }, signal)).rejects.toThrow(`the registration token is not valid on ${URL_}`);
    await expect(client.registerRunner({ token: 'x' }, signal)).rejects.toThrow('does not accept registration tokens');
    const err = await client.verifyRunner('t1_bad', signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunnerApiError);
    expect((err as RunnerApiError).status).toBe(403);
    expect((err as RunnerApiError).message).toBe(`the runner token is not valid on ${URL_}: register again`);
  });

  it('accepts a bare "200" from an old server on verify', async () => {
    const f = fakeFetch(new Response('200', { status: 200 }));
    expect(await new RunnerApiClient(URL_, { fetch: f.fetch }).verifyRunner('t', signal)).toEqual({ id: 0, token: 't', token_expires_at: null });
  });

  it('reports connection problems as network errors with a plain reason', async () => {
    const f = fakeFetch(refused());
    const err = (await new RunnerApiClient(URL_, { fetch: f.fetch }).requestJob({ token: 't' }, signal).catch((e: unknown) => e)) as RunnerApiError;
    expect(err).toMatchObject({ status: 0, kind: 'network', retryable: true });
    expect(err.message).toBe(`cannot reach ${URL_} to request a job: connection refused (is the server running and the URL right?)`);
  });

  it('polls for jobs: 204 keeps X-GitLab-Last-Update, 201 parses the payload, last_update is sent back', async () => {
    const payload = {
      id: 5, token: 'glcbt-x', job_info: { id: 5, name: 'build', stage: 'build', pipeline_id: 1, project_id: 2, project_name: 'app' },
      git_info: { repo_url: 'http://x/app.git', ref: 'main', sha: 'a'.repeat(40) },
    };
    const f = fakeFetch(new Response(null, { status: 204, headers: { 'X-GitLab-Last-Update': 'q1' } }), json(201, payload, { 'X-GitLab-Last-Update': 'q2' }));
    const client = new RunnerApiClient(URL_, { fetch: f.fetch });
    expect(await client.requestJob({ token: 't' }, signal)).toEqual({ kind: 'none', lastUpdate: 'q1' });
    const r = await client.requestJob({ token: 't', lastUpdate: 'q1' }, signal);
    expect(r.kind).toBe('job');
    if (r.kind === 'job') expect(r.payload).toMatchObject({ id: 5, steps: [], runner_info: { timeout: 7200 } });
    expect(JSON.parse(String(f.calls[1]?.body))).toMatchObject({ token: 't', last_update: 'q1' });
  });

  it('hands back the id and token of an assigned job whose payload it cannot read', async () => {
    const f = fakeFetch(json(201, { id: 6, token: 'glcbt-y', job_info: { id: 6 } }));
    const r = await new RunnerApiClient(URL_, { fetch: f.fetch }).requestJob({ token: 't' }, signal);
    expect(r).toMatchObject({ kind: 'invalid', jobId: 6, jobToken: 'glcbt-y', problem: expect.stringContaining('job_info.name') });
  });

  it('patches the trace with Content-Range and reports the server Range on 416', async () => {
    const f = fakeFetch(new Response(null, { status: 416, headers: { Range: '0-4', 'Job-Status': 'running' } }));
    const r = await new RunnerApiClient(URL_, { fetch: f.fetch }).patchTrace(9, 'jt', 10, Buffer.from('hello'), signal);
    expect(r).toEqual({ code: 416, offset: 4, jobStatus: 'running' });
    expect(f.calls[0]?.headers.get('content-range')).toBe('10-14');
    expect(f.calls[0]?.headers.get('job-token')).toBe('jt');
    expect(f.calls[0]?.method).toBe('PATCH');
  });

  it('returns the Job-Status of a job update and throws on 5xx', async () => {
    const f = fakeFetch(new Response('200', { status: 200, headers: { 'Job-Status': 'canceled', 'X-GitLab-Trace-Update-Interval': '30' } }), json(500, { message: 'boom' }));
    const client = new RunnerApiClient(URL_, { fetch: f.fetch });
    expect(await client.updateJob(3, 'jt', { state: 'running' }, signal)).toEqual({ code: 200, jobStatus: 'canceled', updateIntervalSeconds: 30 });
    await expect(client.updateJob(3, 'jt', { state: 'success' }, signal)).rejects.toThrow(`${URL_} failed to update job 3 (HTTP 500; will retry) (server says: boom)`);
  });

  it('uploads artifacts as multipart `file` with the query, retrying a 502', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'upload-'));
    const file = path.join(dir, 'artifacts.zip');
    await writeFile(file, 'PK-data');
    const f = fakeFetch(json(502, {}), json(201, {}));
    const client = new RunnerApiClient(URL_, { fetch: f.fetch });
    await client.uploadArtifacts(4, 'jt', { filePath: file, artifactType: 'archive', artifactFormat: 'zip', expireIn: '1 week' }, signal);
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1]?.url).toBe(`${URL_}/api/v4/jobs/4/artifacts?artifact_format=zip&artifact_type=archive&expire_in=1+week`);
    const form = f.calls[1]?.body as FormData;
    const sent = form.get('file') as File;
    expect(sent.name).toBe('artifacts.zip');
    expect(await sent.text()).toBe('PK-data');
  });

  it('downloads artifacts to a file and names a missing archive', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'download-'));
    const f = fakeFetch(new Response('zipbytes', { status: 200 }), json(404, { message: '404 Not Found' }));
    const client = new RunnerApiClient(URL_, { fetch: f.fetch });
    expect(await client.downloadArtifacts(8, 'jt', path.join(dir, 'a.zip'), signal)).toBe(8);
    expect(await readFile(path.join(dir, 'a.zip'), 'utf8')).toBe('zipbytes');
    await expect(client.downloadArtifacts(8, 'jt', path.join(dir, 'b.zip'), signal)).rejects.toThrow('the artifacts of job 8 are missing or expired');
  });
});
