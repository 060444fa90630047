// Live views over server-sent events (for the web UI and `drydock job log -f`):
//   GET /api/v4/projects/:id/jobs/:job_id/trace/stream?offset=N
//     event `append` {offset, text} (stored trace from N, then each chunk a runner PATCHes; never a
//     split UTF-8 sequence), `status` {status, finished_at} on every change, and after a final
//     status one `end` {} before the stream closes.
//   GET /api/v4/projects/:id/pipelines/:pipeline_id/stream
//     `pipeline` (the REST pipeline JSON) and `jobs` (the REST jobs list) on every change, `end`
//     after a final status.
// Both are driven by ServerEvents (no polling); work per stream runs in order on one promise chain.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCompleted, type JobStatus } from '../services/job-status.js';
import type { ServerContext } from '../services/server-context.js';
import { completeUtf8Length } from '../services/utf8-boundary.js';
import type { JobRecord, PipelineRecord, ProjectRecord } from '../store/store.js';
import { pipelineEntity } from './entities.js';
import { jobEntities, pipelineParam } from './pipeline-routes.js';
import { readableProject } from './project-access.js';
import { openSseStream, type SseStream } from './sse-stream.js';

type JobStreamReq = FastifyRequest<{ Params: { id: string; jid: string }; Querystring: { offset?: string } }>;
type PipelineStreamReq = FastifyRequest<{ Params: { id: string; pid: string } }>;

export function registerStreamRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v4/projects/:id/jobs/:jid/trace/stream', async (req: JobStreamReq, reply: FastifyReply) => {
    // Public projects are readable without a token; others answer as GitLab's jobs API (401).
    const project = (await readableProject(ctx, req, reply, 'jobs'))?.project;
    if (!project) return reply;
    const job = /^\d+$/.test(req.params.jid) ? await ctx.store.jobById(Number(req.params.jid)) : undefined;
    if (!job || job.projectId !== project.id) return reply.code(404).send({ message: '404 Job Not Found' });
    const offsetText = req.query.offset ?? '0';
    if (!/^\d+$/.test(offsetText)) return reply.code(400).send({ error: 'offset is invalid: a byte offset (0 or more) is expected' });
    streamJobTrace(ctx, job, Number(offsetText), openSseStream(reply, ctx.signal));
    return reply;
  });

  app.get('/api/v4/projects/:id/pipelines/:pid/stream', async (req: PipelineStreamReq, reply: FastifyReply) => {
    const project = (await readableProject(ctx, req, reply, 'project'))?.project;
    if (!project) return reply;
    const pipeline = await pipelineParam(ctx, project, req.params.pid, reply);
    if (!pipeline) return reply;
    streamPipeline(ctx, project, pipeline.id, openSseStream(reply, ctx.signal));
    return reply;
  });
}

/** Serialises async steps of one stream; a failure ends the stream instead of crashing anything. */
function serial(ctx: ServerContext, sse: SseStream): (step: () => Promise<void>) => void {
  let chain = Promise.resolve();
  return (step) => {
    chain = chain.then(() => (sse.closed ? undefined : step())).catch((err: unknown) => {
      ctx.log.error({ err }, 'live stream failed');
      sse.close();
    });
  };
}

function streamJobTrace(ctx: ServerContext, job: JobRecord, fromOffset: number, sse: SseStream): void {
  const run = serial(ctx, sse);
  /** Offset of the next byte not yet taken in; `carry` holds taken bytes not yet sent (a split character). */
  let next = fromOffset;
  let carry = Buffer.alloc(0);
  let lastStatus: JobStatus | undefined;

  const take = (bytes: Uint8Array, final = false) => {
    const all = Buffer.concat([carry, bytes]);
    const offset = next - carry.length;
    next += bytes.length;
    const k = final ? all.length : completeUtf8Length(all);
    if (k > 0) sse.send('append', { offset, text: all.subarray(0, k).toString('utf8') });
    carry = Buffer.from(all.subarray(k));
  };
  const catchUp = async () => {
    const stored = await ctx.store.readTrace(job.id, next);
    if (stored.length > 0) take(stored);
  };
  const checkStatus = async () => {
    const current = await ctx.store.jobById(job.id);
    if (!current) return sse.close();
    if (current.status !== lastStatus) {
      lastStatus = current.status;
      sse.send('status', { status: current.status, finished_at: current.finishedAt });
    }
    if (isCompleted(current.status)) {
      // The runner sends its last trace before the final state: read what is left, then end.
      await catchUp();
      if (carry.length > 0) take(new Uint8Array(0), true);
      sse.send('end', {});
      sse.close();
    }
  };

  const offTrace = ctx.events.onTrace(job.id, (offset, data) => run(async () => {
    const end = offset + data.byteLength;
    if (end <= next) return;
    if (offset > next) return catchUp(); // missed bytes (stream started mid-chunk): the store has them
    take(data.subarray(next - offset));
  }));
  const offPipeline = ctx.events.onPipeline(job.pipelineId, () => run(checkStatus));
  sse.onClose(() => { offTrace(); offPipeline(); });
  run(async () => { await catchUp(); await checkStatus(); });
}

function streamPipeline(ctx: ServerContext, project: ProjectRecord, pipelineId: number, sse: SseStream): void {
  const run = serial(ctx, sse);
  // Changes arriving while a snapshot is being built collapse into one more snapshot.
  let queued = false;
  const snapshot = () => {
    if (queued) return;
    queued = true;
    run(async () => {
      queued = false;
      const pipeline: PipelineRecord | undefined = await ctx.store.pipelineById(pipelineId);
      if (!pipeline) return sse.close();
      const user = pipeline.userId !== null ? await ctx.store.userById(pipeline.userId) : undefined;
      const jobs = (await ctx.store.jobsOfPipeline(pipelineId)).filter((j) => !j.retried);
      sse.send('pipeline', pipelineEntity(ctx.externalUrl, project, pipeline, user));
      sse.send('jobs', await jobEntities(ctx, project, pipeline, jobs));
      if (isCompleted(pipeline.status)) {
        sse.send('end', {});
        sse.close();
      }
    });
  };
  const off = ctx.events.onPipeline(pipelineId, snapshot);
  sse.onClose(off);
  snapshot();
}
