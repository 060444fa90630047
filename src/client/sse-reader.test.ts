import { describe, expect, it } from 'vitest';
import { parseFrame, readSseEvents } from './sse-reader.js';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({ start(c) { for (const p of parts) c.enqueue(enc.encode(p)); c.close(); } });
}

describe('readSseEvents', () => {
  it('splits frames across chunk boundaries and skips heartbeats', async () => {
    const events = [];
    for await (const e of readSseEvents(streamOf([': hi\n\nevent: app', 'end\ndata: {"a":1}\n', '\n: heartbeat\n\nevent: end\ndata: {}\n\n']))) events.push(e);
    expect(events).toEqual([{ event: 'append', data: '{"a":1}' }, { event: 'end', data: '{}' }]);
  });

  it('joins multi-line data and defaults the event name', () => {
    expect(parseFrame('data: a\ndata: b')).toEqual({ event: 'message', data: 'a\nb' });
    expect(parseFrame(': only a comment')).toBeUndefined();
  });
});
