import { describe, expect, it } from 'vitest';
import { ServerEvents } from './server-events.js';

describe('ServerEvents', () => {
  it('delivers to the listeners of one job or pipeline only, until they unsubscribe', () => {
    const events = new ServerEvents();
    const got: string[] = [];
    const off1 = events.onTrace(1, (offset, data) => got.push(`1:${offset}:${Buffer.from(data).toString()}`));
    events.onTrace(2, () => got.push('2'));
    const offP = events.onPipeline(7, () => got.push('p7'));
    events.traceAppended(1, 0, Buffer.from('hi'));
    events.pipelineChanged(7);
    events.pipelineChanged(8);
    off1();
    offP();
    events.traceAppended(1, 2, Buffer.from('x'));
    events.pipelineChanged(7);
    expect(got).toEqual(['1:0:hi', 'p7']);
    expect(events.listeners()).toBe(1);
  });
});
