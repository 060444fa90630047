// Timers that fire at a wall-clock time (delayed jobs' scheduled_at), keyed so a re-arm or a
// cancel replaces the earlier one. Timers are unref'd: they never keep the process alive.

/** setTimeout's limit (~24.8 days); longer waits are re-armed in steps. */
const MAX_DELAY_MS = 2_147_483_647;

export class JobTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  /** Runs `fire` at `atMs` (epoch ms), at once when that is past. */
  arm(key: string, atMs: number, fire: () => void, now = Date.now()): void {
    this.disarm(key);
    if (this.closed) return;
    const delay = Math.max(0, atMs - now);
    const step = Math.min(delay, MAX_DELAY_MS);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (step < delay) this.arm(key, atMs, fire);
      else fire();
    }, step);
    timer.unref();
    this.timers.set(key, timer);
  }

  disarm(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  armed(): string[] {
    return [...this.timers.keys()];
  }

  /** Shutdown: drops every timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
