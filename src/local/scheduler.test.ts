import { describe, it, expect } from 'vitest';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import type { JobResult } from '../runtime/types.js';
import { schedulePipeline, type AttemptRequest, type SchedulerEvent } from './scheduler.js';

function job(name: string, stageIndex: number, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    name, stage: `s${stageIndex}`, stageIndex, when: 'on_success', allowFailure: false, services: [],
    variables: [], hooks: { preGetSourcesScript: [] }, beforeScript: [], script: ['true'], afterScript: [],
    needs: null, dependencies: [], cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [],
    interruptible: false, ...extra,
  };
}

type Outcome = Partial<JobResult> & { delayMs?: number };

/** Runs the scheduler with per-job scripted outcomes (per attempt); records the order of events. */
async function run(jobs: JobSpec[], outcomes: Record<string, Outcome[]> = {}, opts: { concurrency?: number; manual?: string[]; abortAfterMs?: number; delayMs?: number } = {}) {
  const log: string[] = [];
  const events: SchedulerEvent[] = [];
  const controller = new AbortController();
  if (opts.abortAfterMs !== undefined) setTimeout(() => controller.abort(), opts.abortAfterMs);
  let active = 0;
  let maxActive = 0;
  const result = await schedulePipeline({
    jobs,
    concurrency: opts.concurrency ?? 4,
    playManual: new Set(opts.manual ?? []),
    signal: controller.signal,
    onEvent: (e) => events.push(e),
    ...(opts.delayMs !== undefined ? { delayMs: () => opts.delayMs } : {}),
    runAttempt: async (req: AttemptRequest): Promise<JobResult> => {
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${req.job.name}#${req.attempt}`);
      const o = outcomes[req.job.name]?.[req.attempt - 1] ?? {};
      const startedAt = new Date();
      const canceled = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), o.delayMs ?? 1);
        req.signal.addEventListener('abort', () => { clearTimeout(t); resolve(true); }, { once: true });
      });
      active--;
      log.push(`end ${req.job.name}#${req.attempt}`);
      const { delayMs: _d, ...rest } = o;
      return { status: canceled ? 'canceled' : 'success', allowedToFail: false, timings: [], startedAt, finishedAt: new Date(), ...rest };
    },
  });
  const status = Object.fromEntries(result.jobs.map((j) => [j.spec.name, j.status]));
  return { result, status, log, events, maxActive };
}

const fail = (extra: Partial<JobResult> = {}): Outcome => ({ status: 'failed', failureReason: 'script_failure', exitCode: 1, ...extra });

describe('schedulePipeline', () => {
  it('runs stages in order and succeeds', async () => {
    const r = await run([job('a', 0), job('b', 1), job('c', 2)]);
    expect(r.log).toEqual(['start a#1', 'end a#1', 'start b#1', 'end b#1', 'start c#1', 'end c#1']);
    expect(r.result.status).toBe('success');
  });

  it('starts a needs job as soon as its needs are done, before the earlier stage ends', async () => {
    const r = await run(
      [job('slow', 0), job('fast', 0), job('after-fast', 1, { needs: [{ job: 'fast', artifacts: true, optional: false }] })],
      { slow: [{ delayMs: 80 }] },
    );
    expect(r.log.indexOf('start after-fast#1')).toBeLessThan(r.log.indexOf('end slow#1'));
  });

  it('runs jobs with needs: [] in parallel up to the concurrency limit', async () => {
    const jobs = ['a', 'b', 'c', 'd'].map((n) => job(n, 1, { needs: [] }));
    const r = await run(jobs, {}, { concurrency: 2 });
    expect(r.maxActive).toBe(2);
    expect(r.result.status).toBe('success');
  });

  it('skips later stages after a failure and runs on_failure and always jobs', async () => {
    const r = await run(
      [job('a', 0), job('b', 1), job('cleanup', 2, { when: 'on_failure' }), job('report', 2, { when: 'always' })],
      { a: [fail()] },
    );
    expect(r.status).toEqual({ a: 'failed', b: 'skipped', cleanup: 'success', report: 'success' });
    expect(r.result.status).toBe('failed');
  });

  it('treats an allowed failure as success with warnings: later stages run, on_failure does not', async () => {
    const r = await run(
      [job('a', 0, { allowFailure: true }), job('b', 1), job('cleanup', 1, { when: 'on_failure' })],
      { a: [fail({ allowedToFail: true })] },
    );
    expect(r.status).toEqual({ a: 'failed', b: 'success', cleanup: 'skipped' });
    expect(r.result.status).toBe('success');
  });

  it('retries per retry:max and stops at the first success', async () => {
    const r = await run([job('flaky', 0, { retry: { max: 2, when: ['always'], exitCodes: [] } })], { flaky: [fail(), fail(), {}] });
    expect(r.log.filter((l) => l.startsWith('start'))).toEqual(['start flaky#1', 'start flaky#2', 'start flaky#3']);
    expect(r.status['flaky']).toBe('success');
  });

  it('does not retry when retry:when does not match the failure reason', async () => {
    const r = await run([job('j', 0, { retry: { max: 2, when: ['runner_system_failure'], exitCodes: [] } })], { j: [fail()] });
    expect(r.result.jobs[0]?.attempts).toHaveLength(1);
    expect(r.result.status).toBe('failed');
  });

  it('leaves optional manual jobs waiting without blocking the pipeline', async () => {
    const r = await run([job('build', 0), job('deploy', 1, { when: 'manual', allowFailure: true }), job('notify', 2)]);
    expect(r.status).toEqual({ build: 'success', deploy: 'manual', notify: 'success' });
    expect(r.result.status).toBe('success');
  });

  it('a blocking manual job holds later stages and blocks the pipeline', async () => {
    const r = await run([job('build', 0), job('gate', 1, { when: 'manual', allowFailure: false }), job('after', 2)]);
    expect(r.status).toEqual({ build: 'success', gate: 'manual', after: 'created' });
    expect(r.result.status).toBe('manual');
  });

  it('plays a manual job named with --manual', async () => {
    const r = await run([job('deploy', 0, { when: 'manual', allowFailure: true })], {}, { manual: ['deploy'] });
    expect(r.status['deploy']).toBe('success');
  });

  it('skips a needs job whose need was skipped (DAG)', async () => {
    const r = await run(
      [job('a', 0), job('b', 1, { when: 'on_failure' }), job('c', 2, { needs: [{ job: 'b', artifacts: false, optional: false }] })],
    );
    expect(r.status).toEqual({ a: 'success', b: 'skipped', c: 'skipped' });
  });

  it('cancels running and waiting jobs when the signal fires', async () => {
    const r = await run([job('long', 0), job('next', 1)], { long: [{ delayMs: 5_000 }] }, { abortAfterMs: 30 });
    expect(r.status).toEqual({ long: 'canceled', next: 'canceled' });
    expect(r.result.status).toBe('canceled');
  });

  it('turns a throwing runAttempt into a failed job, not a crash', async () => {
    const jobs = [job('boom', 0)];
    const result = await schedulePipeline({
      jobs, concurrency: 1, playManual: new Set(), signal: new AbortController().signal,
      runAttempt: () => Promise.reject(new Error('broken')),
    });
    expect(result.jobs[0]?.status).toBe('failed');
    expect(result.jobs[0]?.attempts[0]?.failureReason).toBe('runner_system_failure');
  });

  it('holds a delayed job in `scheduled` without a slot while others run, then runs it', async () => {
    const r = await run([job('later', 0, { when: 'delayed', startIn: '1 second' }), job('now', 0)], { now: [{ delayMs: 30 }] }, { concurrency: 1, delayMs: 60 });
    expect(r.events.filter((e) => e.type === 'job-scheduled').map((e) => e.job.name)).toEqual(['later']);
    expect(r.log).toEqual(['start now#1', 'end now#1', 'start later#1', 'end later#1']);
    expect(r.result.status).toBe('success');
  });

  it('cancels a delayed job waiting for its start time', async () => {
    const r = await run([job('later', 0, { when: 'delayed', startIn: '1 hour' })], {}, { delayMs: 3_600_000, abortAfterMs: 20 });
    expect(r.status).toEqual({ later: 'canceled' });
    expect(r.log).toEqual([]);
  });
});
