// A small REST client for a Drydock (or GitLab) server: GitLab v4 paths, PRIVATE-TOKEN auth, and
// the SSE live log. It speaks HTTP only; it never imports the server.
import { z } from 'zod';
import { ClientError, errorForStatus, unreachable } from './client-error.js';
import { jobSchema, pipelineSchema, traceAppendSchema, traceStatusSchema, type Job, type Pipeline } from './rest-types.js';
import { readSseEvents } from './sse-reader.js';

export interface ClientOptions {
  url: string;
  token: string;
  /** Per-request timeout for ordinary calls (not streams); default 30 s. */
  timeoutMs?: number;
}

/** A project by numeric id or `group/name` path. */
export type ProjectRef = string | number;

export interface PipelineFilter {
  ref?: string;
  status?: string;
  perPage?: number;
}

export type TraceEvent =
  | { type: 'append'; offset: number; text: string }
  | { type: 'status'; status: string; finishedAt: string | null }
  | { type: 'end' };

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** Names the resource in error messages. */
  what: string;
}

export class DrydockClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  listPipelines(project: ProjectRef, filter: PipelineFilter = {}, signal?: AbortSignal): Promise<Pipeline[]> {
    return this.json('GET', `${projectPath(project)}/pipelines`, z.array(pipelineSchema), {
      query: { ref: filter.ref, status: filter.status, per_page: filter.perPage ?? 20 }, signal, what: `pipelines of project ${project}`,
    });
  }

  getPipeline(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Pipeline> {
    return this.json('GET', `${projectPath(project)}/pipelines/${id}`, pipelineSchema, { signal, what: pipelineName(project, id) });
  }

  pipelineJobs(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Job[]> {
    return this.json('GET', `${projectPath(project)}/pipelines/${id}/jobs`, z.array(jobSchema), {
      query: { per_page: 100 }, signal, what: `jobs of ${pipelineName(project, id)}`,
    });
  }

  /** Trigger jobs of a pipeline (GitLab lists them apart from the other jobs). */
  pipelineBridges(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Job[]> {
    return this.json('GET', `${projectPath(project)}/pipelines/${id}/bridges`, z.array(jobSchema), {
      query: { per_page: 100 }, signal, what: `trigger jobs of ${pipelineName(project, id)}`,
    });
  }

  cancelPipeline(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Pipeline> {
    return this.json('POST', `${projectPath(project)}/pipelines/${id}/cancel`, pipelineSchema, { signal, what: pipelineName(project, id) });
  }

  retryPipeline(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Pipeline> {
    return this.json('POST', `${projectPath(project)}/pipelines/${id}/retry`, pipelineSchema, { signal, what: pipelineName(project, id) });
  }

  getJob(project: ProjectRef, id: number, signal?: AbortSignal): Promise<Job> {
    return this.json('GET', `${projectPath(project)}/jobs/${id}`, jobSchema, { signal, what: jobName(project, id) });
  }

  /** job action: retry | cancel | play. */
  jobAction(project: ProjectRef, id: number, action: 'retry' | 'cancel' | 'play', signal?: AbortSignal): Promise<Job> {
    return this.json('POST', `${projectPath(project)}/jobs/${id}/${action}`, jobSchema, { signal, what: jobName(project, id) });
  }

  async jobTrace(project: ProjectRef, id: number, signal?: AbortSignal): Promise<string> {
    const res = await this.send('GET', `${projectPath(project)}/jobs/${id}/trace`, { signal, what: `the log of ${jobName(project, id)}` });
    return res.text();
  }

  /** Follows the live log (SSE) from byte `offset` until the job ends or `signal` aborts. */
  async *streamJobTrace(project: ProjectRef, id: number, offset = 0, signal?: AbortSignal): AsyncGenerator<TraceEvent> {
    const res = await this.send('GET', `${projectPath(project)}/jobs/${id}/trace/stream`, {
      query: { offset }, signal, what: `the live log of ${jobName(project, id)}`,
    }, false);
    if (!res.body) throw new ClientError('protocol', `${this.baseUrl} sent no body for the live log`);
    for await (const e of readSseEvents(res.body, signal)) {
      const data: unknown = JSON.parse(e.data);
      if (e.event === 'append') {
        const a = traceAppendSchema.parse(data);
        yield { type: 'append', offset: a.offset, text: a.text };
      } else if (e.event === 'status') {
        const s = traceStatusSchema.parse(data);
        yield { type: 'status', status: s.status, finishedAt: s.finished_at };
      } else if (e.event === 'end') {
        yield { type: 'end' };
        return;
      }
    }
  }

  private async json<T>(method: string, path: string, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
    const res = await this.send(method, path, options);
    const body: unknown = await res.json().catch(() => {
      throw new ClientError('protocol', `${this.baseUrl} answered ${options.what} with something that is not JSON`);
    });
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ClientError('protocol', `${this.baseUrl} answered ${options.what} with an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return parsed.data;
  }

  private async send(method: string, path: string, options: RequestOptions, timeout = true): Promise<Response> {
    const url = new URL(`${this.baseUrl}/api/v4${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { 'PRIVATE-TOKEN': this.token, accept: 'application/json' };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const signals = [options.signal, timeout ? AbortSignal.timeout(this.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length > 0) init.signal = AbortSignal.any(signals);
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw unreachable(this.baseUrl, err);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* plain text */ }
      throw errorForStatus(res.status, body, options.what, this.baseUrl);
    }
    return res;
  }
}

function projectPath(project: ProjectRef): string {
  return `/projects/${encodeURIComponent(String(project))}`;
}

const pipelineName = (project: ProjectRef, id: number) => `pipeline ${id} of project ${project}`;
const jobName = (project: ProjectRef, id: number) => `job ${id} of project ${project}`;
