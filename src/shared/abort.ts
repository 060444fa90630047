// Cancellation and timeouts shared by every layer: one vocabulary for "stop now".

/** Thrown when work stops because its AbortSignal fired for a cancel (Ctrl-C, server cancel). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** Thrown when work stops because its time budget ran out. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly timeoutMs: number, message = `timed out after ${Math.round(timeoutMs / 1000)}s`) {
    super(message);
  }
}

/** A signal that fires when any of `signals` fires, or after `timeoutMs` (with a JobTimeoutError reason). */
export function combineSignals(signals: AbortSignal[], timeoutMs?: number): AbortSignal {
  const all = [...signals];
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
    all.push(controller.signal);
  }
  return AbortSignal.any(all);
}

/** A fresh, bounded signal for cleanup work that must run even after the job's own signal fired. */
export function cleanupSignal(timeoutMs = 5 * 60_000): AbortSignal {
  return combineSignals([], timeoutMs);
}

/** Rejects with the signal's reason if it has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError();
}
