// Composite readiness: whichever comes first of "ready" (a probe succeeded), "exited" (the
// service's process ended: an event, not a poll) and the timeout. Generic over how each is
// observed, so it works for Docker, Kubernetes or a plain process.
export type ReadinessOutcome<R, E> =
  | { kind: 'ready'; value: R; ms: number }
  | { kind: 'exited'; value: E; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'error'; error: Error; ms: number };

export interface ReadinessOptions<R, E> {
  /** Resolves when ready; must stop when its signal fires. */
  ready: (signal: AbortSignal) => Promise<R>;
  /** Resolves when the service ended (e.g. Docker's container wait). */
  exited: Promise<E>;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function waitForReadiness<R, E>(opts: ReadinessOptions<R, E>): Promise<ReadinessOutcome<R, E>> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('readiness wait stopped'));
  opts.signal.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race<ReadinessOutcome<R, E>>([
      opts.ready(controller.signal).then(
        (value) => ({ kind: 'ready', value, ms: ms() }),
        (error: unknown) => (controller.signal.aborted ? new Promise<never>(() => {}) : { kind: 'error', error: error instanceof Error ? error : new Error(String(error)), ms: ms() }),
      ),
      opts.exited.then((value) => ({ kind: 'exited', value, ms: ms() }), () => new Promise<never>(() => {})),
      new Promise((resolve) => { timer = setTimeout(() => resolve({ kind: 'timeout', ms: ms() }), opts.timeoutMs); }),
      new Promise((_, reject) => {
        if (opts.signal.aborted) reject(opts.signal.reason);
        opts.signal.addEventListener('abort', () => reject(opts.signal.reason), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', stop);
    controller.abort();
  }
}
