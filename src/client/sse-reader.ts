// Reads a text/event-stream body into events (the subset servers send: `event:`, `data:`, comments).

export interface SseEvent {
  event: string;
  data: string;
}

/** Yields each event of `body` in order; ends when the stream ends or `signal` aborts. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const onAbort = () => { void reader.cancel().catch(() => undefined); };
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = frameEnd(buffer); end >= 0; end = frameEnd(buffer)) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^(\r?\n){2}/, '');
        const event = parseFrame(frame);
        if (event) yield event;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

function frameEnd(buffer: string): number {
  const m = /\r?\n\r?\n/.exec(buffer);
  return m ? m.index : -1;
}

/** One frame → event, or undefined for a comment-only frame (heartbeats). */
export function parseFrame(frame: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  let any = false;
  for (const line of frame.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') { event = value; any = true; }
    if (field === 'data') { data.push(value); any = true; }
  }
  return any ? { event, data: data.join('\n') } : undefined;
}
