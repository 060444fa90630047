// The runner-facing half of the v4 API: /runners*, /jobs/request, PUT /jobs/:id, PATCH /jobs/:id/trace.
// Auth failures are always 403 (a runner treats 404 as "maybe a proxy"), tokens come from the body.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  deleteRunnerRequestSchema, JOB_STATUS_HEADER, jobRequestSchema, LAST_UPDATE_HEADER, parseContentRange,
  registerRunnerRequestSchema, TRACE_UPDATE_INTERVAL_HEADER, updateJobRequestSchema, verifyRunnerRequestSchema,
} from '../../protocol/index.js';
import { requestJob } from '../services/job-queue.js';
import { appendJobTrace, authenticateJob, updateJobState } from '../services/job-updates.js';
import type { ServerContext } from '../services/server-context.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from '../services/tokens.js';
import type { RunnerRecord } from '../store/store.js';
import { headerValue } from './request-auth.js';

export const REGISTRATION_TOKEN_SETTING = 'runner_registration_token_digest';

export interface RunnerRouteOptions {
  /** How long POST /jobs/request may wait for a job when the runner sent `last_update` (0 = no long polling). */
  longPollMs: number;
  /** X-GitLab-Trace-Update-Interval sent after each trace PATCH, seconds. */
  traceUpdateIntervalSeconds: number;
}

export function registerRunnerRoutes(app: FastifyInstance, ctx: ServerContext, opts: RunnerRouteOptions): void {
  const parse = <S extends z.ZodType>(schema: S, body: unknown, reply: FastifyReply): z.infer<S> | undefined => {
    const r = schema.safeParse(body ?? {});
    if (r.success) return r.data;
    void reply.code(400).send({ message: { body: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) } });
    return undefined;
  };
  const runnerFor = (token: string): Promise<RunnerRecord | undefined> => ctx.store.runnerByTokenDigest(tokenDigest(token));
  const forbidden = (reply: FastifyReply) => reply.code(403).send({ message: '403 Forbidden' });

  app.post('/api/v4/runners', async (req, reply) => {
    const body = parse(registerRunnerRequestSchema, req.body, reply);
    if (!body) return reply;
    const expected = await ctx.store.getSetting(REGISTRATION_TOKEN_SETTING);
    if (!expected || tokenDigest(body.token) !== expected) return forbidden(reply);
    const tags = body.tag_list ?? [];
    const token = newToken(TOKEN_PREFIX.runner);
    const runner = await ctx.store.createRunner({
      description: body.description ?? '', tags, runUntagged: body.run_untagged ?? tags.length === 0, locked: body.locked ?? false,
      accessLevel: body.access_level ?? 'not_protected', paused: body.paused ?? (body.active === undefined ? false : !body.active),
      maximumTimeout: body.maximum_timeout ?? null, runnerType: 'instance_type', projectId: null,
    }, tokenDigest(token));
    ctx.log.info({ runnerId: runner.id, tags }, 'runner registered');
    return reply.code(201).send({ id: runner.id, token, token_expires_at: null });
  });

  app.post('/api/v4/runners/verify', async (req, reply) => {
    const body = parse(verifyRunnerRequestSchema, req.body, reply);
    if (!body) return reply;
    const runner = await runnerFor(body.token);
    if (!runner) return forbidden(reply);
    await ctx.store.touchRunner(runner.id, body.info, new Date().toISOString());
    return reply.code(200).send({ id: runner.id, token: body.token, token_expires_at: null });
  });

  app.delete('/api/v4/runners', async (req, reply) => {
    const body = parse(deleteRunnerRequestSchema, req.body, reply);
    if (!body) return reply;
    const runner = await runnerFor(body.token);
    if (!runner) return forbidden(reply);
    await ctx.store.deleteRunner(runner.id);
    return reply.code(204).send();
  });

  app.delete('/api/v4/runners/managers', async (req, reply) => {
    const body = parse(deleteRunnerRequestSchema, req.body, reply);
    if (!body) return reply;
    // Runner managers (one per system_id) are not tracked separately: nothing to delete but the check.
    return (await runnerFor(body.token)) ? reply.code(204).send() : forbidden(reply);
  });

  app.post('/api/v4/runners/reset_authentication_token', async (req, reply) => {
    const body = parse(deleteRunnerRequestSchema, req.body, reply);
    if (!body) return reply;
    const runner = await runnerFor(body.token);
    if (!runner) return forbidden(reply);
    const prefix = body.token.startsWith('glrt-') ? `glrt-${TOKEN_PREFIX.runner}` : TOKEN_PREFIX.runner;
    const token = newToken(prefix);
    await ctx.store.setRunnerTokenDigest(runner.id, tokenDigest(token));
    return reply.code(201).send({ token, token_expires_at: null });
  });

  // No job router here: the runner keeps plain HTTP polling.
  app.get('/api/v4/runners/router/discovery', async (_req, reply) => reply.code(501).send({ message: '501 Not Implemented' }));

  app.post('/api/v4/jobs/request', async (req, reply) => {
    const body = parse(jobRequestSchema, req.body, reply);
    if (!body) return reply;
    const runner = await runnerFor(body.token);
    if (!runner) return forbidden(reply);
    // A heartbeat write per poll would be one fsync per runner every few seconds: like GitLab's cached
    // heartbeat, write contacted_at at most once a minute unless the runner's info changed.
    const now = Date.now();
    const infoChanged = body.info !== undefined && JSON.stringify(body.info) !== JSON.stringify(runner.info);
    if (infoChanged || runner.contactedAt === null || now - Date.parse(runner.contactedAt) > 60_000) {
      await ctx.store.touchRunner(runner.id, body.info, new Date(now).toISOString());
    }
    const noJob = () => reply.code(204).header(LAST_UPDATE_HEADER, ctx.queue.current()).send();
    if (runner.paused) return noJob();
    const fresh = { ...runner, info: body.info ?? runner.info };
    const seen = ctx.queue.current();
    const longPoll = body.last_update !== undefined && opts.longPollMs > 0;
    // GitLab's cheap path: the runner already saw this queue version, so no job became pending since
    // it last looked; wait for a change before scanning the queue (the wait ends with a scan anyway).
    let payload = longPoll && body.last_update === seen ? undefined : await requestJob(ctx, fresh, ctx.signal);
    if (!payload && longPoll) {
      // Long poll: nothing now, so wait for the queue to change, then look once more.
      const aborted = new AbortController();
      // The runner gave up (connection closed): stop waiting.
      reply.raw.once('close', () => aborted.abort());
      await ctx.queue.waitForChange(seen, opts.longPollMs, AbortSignal.any([aborted.signal, ctx.signal]));
      if (!aborted.signal.aborted && !ctx.signal.aborted) payload = await requestJob(ctx, fresh, ctx.signal);
      void reply.header('Gitlab-Ci-Builds-Polling', 'yes');
    }
    if (!payload) return noJob();
    // No X-GitLab-Last-Update on a 201 (as GitLab): a runner that kept it would take the cheap path
    // next time and wait while other jobs are still pending.
    return reply.code(201).send(payload);
  });

  app.put<{ Params: { id: string } }>('/api/v4/jobs/:id', async (req, reply) => {
    const body = parse(updateJobRequestSchema, req.body, reply);
    if (!body) return reply;
    const auth = await authenticateJob(ctx, Number(req.params.id), body.token ?? headerValue(req, 'job-token'));
    if (!auth.ok) {
      if (auth.jobStatus) void reply.header(JOB_STATUS_HEADER, auth.jobStatus);
      return reply.code(403).send({ message: auth.message });
    }
    const r = await updateJobState(ctx, auth.job, body);
    void reply.header(JOB_STATUS_HEADER, r.jobStatus);
    if (r.code === 400) return reply.code(400).send({ message: r.message });
    return reply.code(200).type('text/plain').send('200');
  });

  app.patch<{ Params: { id: string } }>('/api/v4/jobs/:id/trace', { bodyLimit: 16 * 1024 * 1024 }, async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const token = headerValue(req, 'job-token') ?? (typeof query.token === 'string' ? query.token : undefined);
    const auth = await authenticateJob(ctx, Number(req.params.id), token);
    if (!auth.ok) {
      if (auth.jobStatus) void reply.header(JOB_STATUS_HEADER, auth.jobStatus);
      return reply.code(403).send({ message: auth.message });
    }
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
    const range = parseContentRange(headerValue(req, 'content-range'));
    const r = await appendJobTrace(ctx, auth.job, range?.start, data);
    if (r.code === 400) return reply.code(400).send({ message: r.message });
    return reply.code(r.code)
      .header(JOB_STATUS_HEADER, r.jobStatus)
      .header('Range', `0-${r.size}`)
      .header(TRACE_UPDATE_INTERVAL_HEADER, String(opts.traceUpdateIntervalSeconds))
      .send();
  });
}
