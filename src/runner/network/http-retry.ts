// Retry with exponential back-off for runner API calls that gitlab-runner retries (transfers, final update).
import { throwIfAborted } from '../../shared/abort.js';
import { RunnerApiError } from './runner-api-error.js';

export interface RetryOptions {
  attempts: number;
  signal: AbortSignal;
  /** First pause, doubled after each failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors are worth another attempt; default: RunnerApiError.retryable. */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const isRetryable = o.retryable ?? ((err: unknown) => err instanceof RunnerApiError && err.retryable);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= o.attempts || !isRetryable(err) || o.signal.aborted) throw err;
      const delay = backoffDelay(attempt, o.baseDelayMs ?? 1000, o.maxDelayMs ?? 30_000, err);
      o.onRetry?.(err, attempt, delay);
      await sleep(delay, o.signal);
    }
  }
}

/** Exponential back-off; a server's Retry-After (429/503) wins when it is larger. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, err?: unknown): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const retryAfter = err instanceof RunnerApiError ? Number(err.headers.get('Retry-After') ?? '') : NaN;
  return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(maxMs, Math.max(exp, retryAfter * 1000)) : exp;
}

/** Resolves after `ms`, or rejects when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
