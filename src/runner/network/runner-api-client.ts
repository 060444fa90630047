// The runner's side of the GitLab v4 runner API (server facts §1, runner facts §2.4): register, verify,
// unregister, job request (long poll), job update, trace PATCH, artifact upload and download.
// One method per endpoint, no job logic: callers (job loop, trace sender, register) decide what to do.
import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import {
  formatContentRange, JOB_STATUS_HEADER, jobPayloadSchema, LAST_UPDATE_HEADER, parseTraceRange,
  resetTokenResponseSchema, runnerRegistrationResponseSchema, TRACE_UPDATE_INTERVAL_HEADER,
  type JobPayload, type RegisterRunnerRequest, type ResetTokenResponse, type RunnerInfo,
  type RunnerRegistrationResponse, type UpdateJobRequest,
} from '../../protocol/index.js';
import { withRetry } from './http-retry.js';
import { describeNetworkError, kindForStatus, RunnerApiError } from './runner-api-error.js';

export interface RunnerApiClientOptions {
  fetch?: typeof fetch;
  userAgent?: string;
  /** Time limit of one short call (register, verify, update...), default 30 s. */
  requestTimeoutMs?: number;
  /** Attempts for artifact transfers (network errors, 5xx), default 3. */
  transferAttempts?: number;
}

export interface JobRequestOptions {
  token: string;
  systemId?: string;
  /** X-GitLab-Last-Update of the previous answer: enables long polling on the server. */
  lastUpdate?: string;
  info?: RunnerInfo;
  /** How long to wait for the answer, default 90 s (servers hold long polls for ~50 s). */
  timeoutMs?: number;
}

export type JobRequestResult =
  | { kind: 'job'; payload: JobPayload; lastUpdate?: string }
  | { kind: 'none'; lastUpdate?: string }
  /** A job was assigned but its payload is unusable: the caller should fail it, not leave it running. */
  | { kind: 'invalid'; jobId: number; jobToken: string; problem: string; lastUpdate?: string };

/** Answer of PUT /jobs/:id that the caller acts on (200 done, 202 retry later, 403/404 abort, 412 resend trace). */
export interface JobUpdateResult {
  code: number;
  /** `Job-Status` header: `canceled`/`failed` abort, `canceling` stop gracefully. */
  jobStatus?: string;
  /** X-GitLab-Trace-Update-Interval in seconds, when sent. */
  updateIntervalSeconds?: number;
}

/** Answer of PATCH /jobs/:id/trace (202 accepted, 416 resend from `offset`, 403/404 stop). */
export interface TracePatchResult {
  code: number;
  /** Where the next patch must start: the server's Range end. */
  offset?: number;
  jobStatus?: string;
  updateIntervalSeconds?: number;
}

export interface ArtifactUpload {
  /** File to send as multipart field `file`. */
  filePath: string;
  /** Name the server records (default: base name of filePath). */
  filename?: string;
  artifactType?: string;
  artifactFormat?: string;
  expireIn?: string;
}

const API = '/api/v4';
const jobRefSchema = z.object({ id: z.number().int(), token: z.string() });

export class RunnerApiClient {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly userAgent: string;
  private readonly requestTimeoutMs: number;
  private readonly transferAttempts: number;

  constructor(baseUrl: string, options: RunnerApiClientOptions = {}) {
    // A legacy `/ci` suffix is tolerated like gitlab-runner does.
    this.baseUrl = baseUrl.replace(/\/+$/, '').replace(/\/ci$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? `drydock-runner (${process.platform}/${process.arch})`;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.transferAttempts = options.transferAttempts ?? 3;
  }

  /** POST /runners with a registration token (legacy flow). */
  async registerRunner(req: RegisterRunnerRequest, signal: AbortSignal): Promise<RunnerRegistrationResponse> {
    const res = await this.send('POST', '/runners', { json: req, signal, what: 'register the runner' });
    if (res.status === 201) return this.parseJson(res, runnerRegistrationResponseSchema, 'register');
    throw await this.failure(res, 'register the runner', {
      403: `the registration token is not valid on ${this.baseUrl}: copy it again from the server (drydock server prints it on first start)`,
      410: `${this.baseUrl} does not accept registration tokens any more: create the runner on the server and register with --token glrt-...`,
    });
  }

  /** POST /runners/verify: checks a runner authentication token (and is the whole registration for glrt- tokens). */
  async verifyRunner(token: string, signal: AbortSignal, extra: { systemId?: string; info?: RunnerInfo } = {}): Promise<RunnerRegistrationResponse> {
    const body = { token, ...(extra.systemId ? { system_id: extra.systemId } : {}), ...(extra.info ? { info: extra.info } : {}) };
    const res = await this.send('POST', '/runners/verify', { json: body, signal, what: 'verify the runner' });
    if (res.status === 200 || res.status === 201) {
      const text = await res.text();
      // Very old GitLab answered a bare `200`: the token is fine, but there is no id to record.
      const parsed = runnerRegistrationResponseSchema.safeParse(safeJson(text));
      return parsed.success ? parsed.data : { id: 0, token, token_expires_at: null };
    }
    throw await this.failure(res, 'verify the runner', {
      403: `the runner token is not valid on ${this.baseUrl}: register again`,
      422: `the runner is orphaned on ${this.baseUrl} (its owner is gone): register again`,
    });
  }

  /** DELETE /runners: removes the runner from the server. */
  async unregisterRunner(token: string, signal: AbortSignal): Promise<void> {
    const res = await this.send('DELETE', '/runners', { json: { token }, signal, what: 'unregister the runner' });
    if (res.status === 204 || res.status === 200) return;
    throw await this.failure(res, 'unregister the runner', { 403: `the runner token is not valid on ${this.baseUrl}: it may be unregistered already` });
  }

  /** DELETE /runners/managers: removes only this machine's manager of a glrt- runner. */
  async unregisterRunnerManager(token: string, systemId: string, signal: AbortSignal): Promise<void> {
    const res = await this.send('DELETE', '/runners/managers', { json: { token, system_id: systemId }, signal, what: 'unregister the runner manager' });
    if (res.status === 204 || res.status === 200) return;
    throw await this.failure(res, 'unregister the runner manager', { 403: `the runner token is not valid on ${this.baseUrl}: it may be unregistered already` });
  }

  /** POST /runners/reset_authentication_token: rotates the runner token. */
  async resetAuthenticationToken(token: string, signal: AbortSignal): Promise<ResetTokenResponse> {
    const res = await this.send('POST', '/runners/reset_authentication_token', { json: { token }, signal, what: 'reset the runner token' });
    if (res.status === 201 || res.status === 200) return this.parseJson(res, resetTokenResponseSchema, 'reset token');
    throw await this.failure(res, 'reset the runner token', { 403: `the runner token is not valid on ${this.baseUrl}: register again` });
  }

  /** POST /jobs/request: 201 = a job, 204 = none. Not retried here: the poll loop decides the back-off. */
  async requestJob(opts: JobRequestOptions, signal: AbortSignal): Promise<JobRequestResult> {
    const body = {
      token: opts.token,
      ...(opts.systemId ? { system_id: opts.systemId } : {}),
      ...(opts.lastUpdate !== undefined ? { last_update: opts.lastUpdate } : {}),
      ...(opts.info ? { info: opts.info } : {}),
    };
    const res = await this.send('POST', '/jobs/request', { json: body, signal, timeoutMs: opts.timeoutMs ?? 90_000, what: 'request a job' });
    const lastUpdate = res.headers.get(LAST_UPDATE_HEADER) ?? undefined;
    if (res.status === 204) {
      await res.body?.cancel();
      return { kind: 'none', ...(lastUpdate !== undefined ? { lastUpdate } : {}) };
    }
    if (res.status === 201) {
      const data = safeJson(await res.text());
      const parsed = jobPayloadSchema.safeParse(data);
      const lu = lastUpdate !== undefined ? { lastUpdate } : {};
      if (parsed.success) return { kind: 'job', payload: parsed.data, ...lu };
      const ref = jobRefSchema.safeParse(data);
      const problem = `${this.baseUrl} sent a job this runner cannot read: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      if (ref.success) return { kind: 'invalid', jobId: ref.data.id, jobToken: ref.data.token, problem, ...lu };
      throw new RunnerApiError(problem, res.status, 'invalid_response', res.headers);
    }
    throw await this.failure(res, 'request a job', {
      403: `the runner token is not valid on ${this.baseUrl}: register again`,
      409: 'another runner took the job first (will ask again)',
      503: `${this.baseUrl} is currently unavailable (will retry)`,
    });
  }

  /** PUT /jobs/:id: state keep-alive or final state. Answers the runner acts on are returned, not thrown. */
  async updateJob(jobId: number, jobToken: string, update: Omit<UpdateJobRequest, 'token'>, signal: AbortSignal): Promise<JobUpdateResult> {
    const res = await this.send('PUT', `/jobs/${jobId}`, {
      json: { token: jobToken, ...update }, signal, headers: { 'JOB-TOKEN': jobToken }, what: `update job ${jobId}`,
    });
    if ([200, 202, 403, 404, 412].includes(res.status)) {
      await res.body?.cancel();
      return { code: res.status, ...jobHeaders(res) };
    }
    throw await this.failure(res, `update job ${jobId}`);
  }

  /** PATCH /jobs/:id/trace with `data` written at `offset`. 416 carries the server's length as `offset`. */
  async patchTrace(jobId: number, jobToken: string, offset: number, data: Uint8Array, signal: AbortSignal, debugTrace = false): Promise<TracePatchResult> {
    const query = debugTrace ? '?debug_trace=true' : '';
    const res = await this.send('PATCH', `/jobs/${jobId}/trace${query}`, {
      body: data, signal, timeoutMs: 60_000, what: `send the log of job ${jobId}`,
      headers: { 'JOB-TOKEN': jobToken, 'Content-Type': 'text/plain', 'Content-Range': formatContentRange(offset, data.byteLength) },
    });
    if ([202, 200, 403, 404, 416].includes(res.status)) {
      await res.body?.cancel();
      const end = parseTraceRange(res.headers.get('Range') ?? undefined);
      return { code: res.status, ...(end !== undefined ? { offset: end } : {}), ...jobHeaders(res) };
    }
    throw await this.failure(res, `send the log of job ${jobId}`);
  }

  /** POST /jobs/:id/artifacts (multipart field `file`), retried on network errors and 5xx. */
  async uploadArtifacts(jobId: number, jobToken: string, upload: ArtifactUpload, signal: AbortSignal): Promise<void> {
    const query = new URLSearchParams();
    if (upload.artifactFormat) query.set('artifact_format', upload.artifactFormat);
    if (upload.artifactType) query.set('artifact_type', upload.artifactType);
    if (upload.expireIn) query.set('expire_in', upload.expireIn);
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    const what = `upload the ${upload.artifactType ?? 'archive'} artifacts of job ${jobId}`;
    await withRetry(async () => {
      const form = new FormData();
      form.set('file', await openAsBlob(upload.filePath), upload.filename ?? path.basename(upload.filePath));
      const res = await this.send('POST', `/jobs/${jobId}/artifacts${qs}`, { body: form, signal, timeoutMs: 0, headers: { 'JOB-TOKEN': jobToken }, what });
      if (res.status === 201 || res.status === 200) { await res.body?.cancel(); return; }
      throw await this.failure(res, what, {
        403: `the server refused the artifacts of job ${jobId} (job token no longer valid or job not running)`,
        405: `artifacts are disabled on ${this.baseUrl}`,
        413: `the artifacts of job ${jobId} are larger than ${this.baseUrl} accepts`,
      });
    }, { attempts: this.transferAttempts, signal });
  }

  /** GET /jobs/:id/artifacts into `destPath` (following redirects); returns the byte count. */
  async downloadArtifacts(jobId: number, token: string, destPath: string, signal: AbortSignal): Promise<number> {
    const what = `download the artifacts of job ${jobId}`;
    return withRetry(async () => {
      const res = await this.send('GET', `/jobs/${jobId}/artifacts`, { signal, timeoutMs: 0, headers: { 'JOB-TOKEN': token }, what });
      if (res.status !== 200 || !res.body) {
        throw await this.failure(res, what, {
          401: `not allowed to ${what} (job token rejected)`,
          403: `not allowed to ${what} (job token rejected)`,
          404: `the artifacts of job ${jobId} are missing or expired`,
        });
      }
      let size = 0;
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      body.on('data', (c: Buffer) => { size += c.length; });
      await pipeline(body, createWriteStream(destPath), { signal });
      return size;
    }, { attempts: this.transferAttempts, signal });
  }

  private async send(method: string, route: string, o: {
    json?: unknown; body?: RequestInit['body']; headers?: Record<string, string>; signal: AbortSignal; timeoutMs?: number; what: string;
  }): Promise<Response> {
    const url = `${this.baseUrl}${API}${route}`;
    const headers: Record<string, string> = {
      'User-Agent': this.userAgent, 'X-Request-Id': randomBytes(16).toString('hex'), Accept: 'application/json', ...o.headers,
    };
    let body = o.body;
    if (o.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(o.json); }
    // Every call gets a time limit except artifact transfers (timeoutMs 0), bounded by the caller's signal only.
    const limit = o.timeoutMs ?? this.requestTimeoutMs;
    const signal = limit === 0 ? o.signal : AbortSignal.any([o.signal, AbortSignal.timeout(limit)]);
    try {
      return await this.fetchFn(url, { method, headers, ...(body !== undefined ? { body } : {}), signal });
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : err;
      const reason = signal.aborted ? `no answer within ${Math.round((limit ?? 0) / 1000)}s` : describeNetworkError(err);
      throw new RunnerApiError(`cannot reach ${this.baseUrl} to ${o.what}: ${reason}`, 0, 'network');
    }
  }

  private async parseJson<T>(res: Response, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, what: string): Promise<T> {
    const text = await res.text();
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new RunnerApiError(`${this.baseUrl} sent an unexpected ${what} answer (${res.status}): ${parsed.error.message.slice(0, 300)}`, res.status, 'invalid_response', res.headers);
    }
    return parsed.data;
  }

  /** An error for an unexpected status, with the server's own message when it sent one. */
  private async failure(res: Response, what: string, messages: Partial<Record<number, string>> = {}): Promise<RunnerApiError> {
    const text = await res.text().catch(() => '');
    const serverMessage = messageOf(text);
    const known = messages[res.status];
    const generic = res.status >= 500 ? `${this.baseUrl} failed to ${what} (HTTP ${res.status}; will retry)` : `cannot ${what} on ${this.baseUrl}: HTTP ${res.status}`;
    // "403 Forbidden" only repeats the status; anything else the server says is worth showing.
    const onlyStatus = serverMessage !== undefined && new RegExp(`^${res.status}( [A-Za-z ]+)?$`).test(serverMessage);
    const detail = serverMessage && !onlyStatus && !(known ?? generic).includes(serverMessage) ? ` (server says: ${serverMessage})` : '';
    return new RunnerApiError(`${known ?? generic}${detail}`, res.status, kindForStatus(res.status), res.headers);
  }
}

function jobHeaders(res: Response): { jobStatus?: string; updateIntervalSeconds?: number } {
  const jobStatus = res.headers.get(JOB_STATUS_HEADER) ?? undefined;
  const interval = Number(res.headers.get(TRACE_UPDATE_INTERVAL_HEADER) ?? '');
  return {
    ...(jobStatus ? { jobStatus } : {}),
    ...(Number.isFinite(interval) && interval > 0 ? { updateIntervalSeconds: interval } : {}),
  };
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}

/** `{"message": "..."}` or `{"message": {field: [...]}}` as one short line. */
function messageOf(text: string): string | undefined {
  const json = safeJson(text);
  if (typeof json === 'object' && json !== null && 'message' in json) {
    const m = (json as { message: unknown }).message;
    return (typeof m === 'string' ? m : JSON.stringify(m)).slice(0, 300);
  }
  const plain = text.trim();
  return plain && plain.length < 200 && !plain.startsWith('<') ? plain : undefined;
}
