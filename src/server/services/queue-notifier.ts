// The build queue's version (GitLab's X-GitLab-Last-Update): changes whenever a job becomes pending,
// so a runner's long poll can wait until there may be something for it.
import { randomBytes } from 'node:crypto';

export class QueueNotifier {
  private version = randomBytes(16).toString('hex');
  private readonly waiters = new Set<() => void>();

  current(): string {
    return this.version;
  }

  /** A job became available: new version, wake every long poll. */
  tick(): void {
    this.version = randomBytes(16).toString('hex');
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when the version differs from `lastUpdate`, after `timeoutMs`, or on abort. */
  waitForChange(lastUpdate: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (lastUpdate !== this.version || timeoutMs <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  /** How many job requests are waiting (long polls). */
  waiting(): number {
    return this.waiters.size;
  }

  /** Wakes all waiters (shutdown). */
  releaseAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
