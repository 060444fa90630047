// Build slots: `concurrent` caps jobs across all [[runners]], `limit` caps one entry (0 = no cap).
// A slot is taken before asking for a job, so the runner never accepts work it cannot start.
// Each job also gets CI_CONCURRENT_ID (lowest free index among this entry's jobs) and
// CI_CONCURRENT_PROJECT_ID (lowest free index among this entry's jobs of the same project).

export interface SlotLease {
  /** Fixes the slot's indexes once the job (and its project) is known. */
  assign(projectId: number): { concurrentId: number; concurrentProjectId: number };
  release(): void;
}

export class JobSlots {
  private total = 0;
  private readonly perRunner = new Map<string, number>();
  private readonly ids = new Map<string, Set<number>>();
  private waiters: Array<() => void> = [];

  constructor(private concurrent: number) {}

  setConcurrent(n: number): void {
    this.concurrent = Math.max(1, n);
    this.wake();
  }

  get running(): number {
    return this.total;
  }

  /** Waits until both caps allow one more job for `runnerKey`; rejects when `signal` fires. */
  async acquire(runnerKey: string, limit: () => number, signal: AbortSignal): Promise<SlotLease> {
    for (;;) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('stopped');
      const mine = this.perRunner.get(runnerKey) ?? 0;
      const cap = limit();
      if (this.total < this.concurrent && (cap <= 0 || mine < cap)) break;
      await new Promise<void>((resolve) => {
        const done = (): void => { signal.removeEventListener('abort', done); this.waiters = this.waiters.filter((w) => w !== done); resolve(); };
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    this.total++;
    this.perRunner.set(runnerKey, (this.perRunner.get(runnerKey) ?? 0) + 1);
    let released = false;
    const taken: Array<[string, number]> = [];
    return {
      assign: (projectId) => {
        const concurrentId = this.take(`${runnerKey}`);
        const concurrentProjectId = this.take(`${runnerKey}\0${projectId}`);
        taken.push([runnerKey, concurrentId], [`${runnerKey}\0${projectId}`, concurrentProjectId]);
        return { concurrentId, concurrentProjectId };
      },
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        this.perRunner.set(runnerKey, (this.perRunner.get(runnerKey) ?? 1) - 1);
        for (const [k, i] of taken) this.ids.get(k)?.delete(i);
        this.wake();
      },
    };
  }

  private take(key: string): number {
    const used = this.ids.get(key) ?? new Set<number>();
    this.ids.set(key, used);
    let i = 0;
    while (used.has(i)) i++;
    used.add(i);
    return i;
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
