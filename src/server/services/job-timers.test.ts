import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobTimers } from './job-timers.js';

describe('JobTimers', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('fires at the time, replaces a re-armed key, and never fires a disarmed one', () => {
    const timers = new JobTimers();
    const fired: string[] = [];
    const now = Date.now();
    timers.arm('a', now + 1000, () => fired.push('a1'), now);
    timers.arm('a', now + 2000, () => fired.push('a2'), now);
    timers.arm('b', now + 500, () => fired.push('b'), now);
    timers.disarm('b');
    vi.advanceTimersByTime(1500);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(600);
    expect(fired).toEqual(['a2']);
    expect(timers.armed()).toEqual([]);
  });

  it('fires past times at once and waits longer than setTimeout allows in steps', () => {
    const timers = new JobTimers();
    const fired: string[] = [];
    const now = Date.now();
    timers.arm('past', now - 10, () => fired.push('past'), now);
    timers.arm('far', now + 40 * 86_400_000, () => fired.push('far'), now);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['past']);
    vi.advanceTimersByTime(30 * 86_400_000);
    expect(fired).toEqual(['past']);
    vi.advanceTimersByTime(10 * 86_400_000);
    expect(fired).toEqual(['past', 'far']);
  });

  it('drops everything on close', () => {
    const timers = new JobTimers();
    const fired: string[] = [];
    timers.arm('x', Date.now() + 10, () => fired.push('x'));
    timers.close();
    timers.arm('y', Date.now() + 10, () => fired.push('y'));
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
  });
});
