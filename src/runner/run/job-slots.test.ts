import { describe, expect, it } from 'vitest';
import { JobSlots } from './job-slots.js';

const signal = new AbortController().signal;

describe('JobSlots', () => {
  it('honours concurrent and per-runner limits and hands out lowest free indexes', async () => {
    const slots = new JobSlots(2);
    const a = await slots.acquire('r1', () => 1, signal);
    expect(a.assign(7)).toEqual({ concurrentId: 0, concurrentProjectId: 0 });
    let second = false;
    const pending = slots.acquire('r1', () => 1, signal).then((l) => { second = true; return l; });
    const b = await slots.acquire('r2', () => 0, signal);
    expect(b.assign(7)).toEqual({ concurrentId: 0, concurrentProjectId: 0 });
    await Promise.resolve();
    expect(second).toBe(false);
    a.release();
    const c = await pending;
    expect(second).toBe(true);
    expect(c.assign(8)).toEqual({ concurrentId: 0, concurrentProjectId: 0 });
    expect(slots.running).toBe(2);
  });

  it('gives two jobs of one project different project slots', async () => {
    const slots = new JobSlots(4);
    const a = await slots.acquire('r', () => 0, signal);
    const b = await slots.acquire('r', () => 0, signal);
    expect(a.assign(1)).toEqual({ concurrentId: 0, concurrentProjectId: 0 });
    expect(b.assign(1)).toEqual({ concurrentId: 1, concurrentProjectId: 1 });
  });

  it('stops waiting when the signal fires', async () => {
    const slots = new JobSlots(1);
    await slots.acquire('r', () => 0, signal);
    const stop = new AbortController();
    const waiting = slots.acquire('r', () => 0, stop.signal);
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});
