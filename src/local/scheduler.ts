// Runs a pipeline's jobs in GitLab's order: stages, or needs (a job starts as soon as what it needs
// is done), honouring when:, allow_failure, manual jobs, retries and a concurrency limit.
// Pure scheduling: running one attempt is the caller's `runAttempt`, so tests drive it with fakes.
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import type { JobResult } from '../runtime/types.js';
import { compositeStatus, isComplete, type CompositeStatus, type LocalJobStatus, type StatusEntry } from './composite-status.js';
import { shouldRetry } from './retry-policy.js';

export interface AttemptRequest {
  job: JobSpec;
  /** 1-based attempt number (2+ are retries). */
  attempt: number;
  /** Concurrency slot (0-based), the local CI_CONCURRENT_ID. */
  slot: number;
  signal: AbortSignal;
}

export type SchedulerEvent =
  | { type: 'job-started'; job: JobSpec; attempt: number; slot: number }
  | { type: 'job-finished'; job: JobSpec; attempt: number; result: JobResult; willRetry: boolean }
  | { type: 'job-skipped'; job: JobSpec; reason: string }
  | { type: 'job-manual'; job: JobSpec }
  | { type: 'job-scheduled'; job: JobSpec; startAt: Date }
  | { type: 'job-canceled'; job: JobSpec };

export interface SchedulerOptions {
  /** The jobs to run, in pipeline order. Needs on jobs outside this list are ignored. */
  jobs: readonly JobSpec[];
  concurrency: number;
  /** Manual jobs the user chose to play (`--manual`). */
  playManual: ReadonlySet<string>;
  signal: AbortSignal;
  /**
   * For `when: delayed` jobs: milliseconds to wait (GitLab's `scheduled` status) before the job
   * is enqueued; undefined or 0 runs it at once. The wait holds no concurrency slot.
   */
  delayMs?(job: JobSpec): number | undefined;
  runAttempt(req: AttemptRequest): Promise<JobResult>;
  onEvent?(event: SchedulerEvent): void;
}

export interface ScheduledJob {
  spec: JobSpec;
  status: LocalJobStatus;
  /** Results of every attempt, in order. */
  attempts: JobResult[];
}

export interface SchedulerResult {
  /** Composite of all jobs: success, failed, canceled, skipped, or manual (blocked by a manual job). */
  status: CompositeStatus;
  jobs: ScheduledJob[];
}

export async function schedulePipeline(opts: SchedulerOptions): Promise<SchedulerResult> {
  const states = opts.jobs.map((spec): ScheduledJob => ({ spec, status: 'created', attempts: [] }));
  const byName = new Map(states.map((s) => [s.spec.name, s]));
  const freeSlots = Array.from({ length: Math.max(1, opts.concurrency) }, (_, i) => i);
  const running = new Set<Promise<void>>();
  /** Delayed jobs waiting for their start time; each resolves when the wait ends or is canceled. */
  const waiting = new Set<Promise<void>>();
  const emit = (e: SchedulerEvent): void => opts.onEvent?.(e);

  const entry = (s: ScheduledJob): StatusEntry => ({
    status: s.status,
    allowFailure: s.status === 'manual' ? s.spec.allowFailure !== false : lastAllowedToFail(s),
  });

  const previousStatus = (s: ScheduledJob): CompositeStatus => {
    if (s.spec.needs === null) {
      return compositeStatus(states.filter((o) => o.spec.stageIndex < s.spec.stageIndex).map(entry));
    }
    const needed = s.spec.needs.map((n) => byName.get(n.job)).filter((n): n is ScheduledJob => n !== undefined);
    const entries = needed.map(entry);
    // DAG: a skipped or ignored-manual need skips the job (§5.3).
    if (entries.some((e) => e.status === 'skipped' || (e.status === 'manual' && e.allowFailure))) return 'skipped';
    return compositeStatus(entries);
  };

  const start = (s: ScheduledJob, slot: number): void => {
    s.status = 'running';
    const p = runWithRetries(s, slot).finally(() => {
      freeSlots.push(slot);
      freeSlots.sort((a, b) => a - b);
      running.delete(p);
    });
    running.add(p);
  };

  const runWithRetries = async (s: ScheduledJob, slot: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      emit({ type: 'job-started', job: s.spec, attempt, slot });
      const result = await opts.runAttempt({ job: s.spec, attempt, slot, signal: opts.signal }).catch(
        (): JobResult => crashedResult(s.spec),
      );
      s.attempts.push(result);
      const willRetry = !opts.signal.aborted && shouldRetry(s.spec.retry, result, attempt);
      emit({ type: 'job-finished', job: s.spec, attempt, result, willRetry });
      if (!willRetry) {
        s.status = result.status;
        return;
      }
    }
  };

  /** GitLab's `scheduled` status: wait start_in (abortable), then the job is pending. */
  const schedule = (s: ScheduledJob, ms: number): void => {
    s.status = 'scheduled';
    emit({ type: 'job-scheduled', job: s.spec, startAt: new Date(Date.now() + ms) });
    const p = new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', done);
        // A cancel during the wait leaves the job 'scheduled'; advance() turns it to canceled.
        if (!opts.signal.aborted) s.status = 'pending';
        else s.status = 'created';
        waiting.delete(p);
        resolve();
      };
      const timer = setTimeout(done, ms);
      opts.signal.addEventListener('abort', done, { once: true });
    });
    waiting.add(p);
  };

  /** One pass over waiting jobs; returns true when some job changed state. */
  const advance = (): boolean => {
    let changed = false;
    for (const s of states) {
      if (s.status !== 'created' && s.status !== 'pending') continue;
      if (opts.signal.aborted) {
        s.status = 'canceled';
        emit({ type: 'job-canceled', job: s.spec });
        changed = true;
        continue;
      }
      if (s.status === 'created') {
        const prev = previousStatus(s);
        if (!isComplete(prev)) continue;
        const decision = decide(s.spec, prev);
        if (decision === 'skip') {
          s.status = 'skipped';
          emit({ type: 'job-skipped', job: s.spec, reason: `when: ${s.spec.when}, previous jobs ${prev}` });
          changed = true;
          continue;
        }
        if (s.spec.when === 'manual' && !opts.playManual.has(s.spec.name)) {
          s.status = 'manual';
          emit({ type: 'job-manual', job: s.spec });
          changed = true;
          continue;
        }
        const delay = s.spec.when === 'delayed' ? opts.delayMs?.(s.spec) ?? 0 : 0;
        if (delay > 0) {
          schedule(s, delay);
          changed = true;
          continue;
        }
        s.status = 'pending';
        changed = true;
      }
      const slot = freeSlots.shift();
      if (slot === undefined) continue;
      start(s, slot);
      changed = true;
    }
    return changed;
  };

  for (;;) {
    while (advance()) { /* repeat until nothing moves: a skip can unblock others */ }
    if (running.size === 0 && waiting.size === 0) break;
    await Promise.race([...running, ...waiting]);
  }

  return { status: compositeStatus(states.map(entry)), jobs: states };
}

function lastAllowedToFail(s: ScheduledJob): boolean {
  const last = s.attempts[s.attempts.length - 1];
  return last?.allowedToFail ?? false;
}

/** GitLab's when: rules against the previous status (§5.2, §5.7). */
function decide(spec: JobSpec, prev: CompositeStatus): 'run' | 'skip' {
  const dag = spec.needs !== null;
  switch (spec.when) {
    case 'on_failure':
      return prev === 'failed' ? 'run' : 'skip';
    case 'always':
      return prev === 'success' || prev === 'failed' || prev === 'skipped' ? 'run' : 'skip';
    default:
      return prev === 'success' || (!dag && prev === 'skipped') ? 'run' : 'skip';
  }
}

/** runAttempt should report its own errors; a throw that escapes it is a system failure. */
function crashedResult(spec: JobSpec): JobResult {
  const now = new Date();
  return {
    status: 'failed',
    failureReason: 'runner_system_failure',
    allowedToFail: spec.allowFailure === true,
    timings: [],
    startedAt: now,
    finishedAt: now,
  };
}
