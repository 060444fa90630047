// A server-sent-events response on a hijacked fastify reply: headers, `event:`/`data:` frames,
// heartbeat comments every 15 s, and cleanup when the client goes away or the server stops.
import type { FastifyReply } from 'fastify';

export const SSE_HEARTBEAT_MS = 15_000;

export interface SseStream {
  send(event: string, data: unknown): void;
  /** Ends the response (idempotent). */
  close(): void;
  readonly closed: boolean;
  /** Runs `fn` once when the stream closes for any reason. */
  onClose(fn: () => void): void;
}

export function openSseStream(reply: FastifyReply, serverSignal: AbortSignal, heartbeatMs = SSE_HEARTBEAT_MS): SseStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Proxies (nginx) must not buffer a live stream.
    'X-Accel-Buffering': 'no',
  });
  raw.write(': stream opened\n\n');
  const closers: Array<() => void> = [];
  let closed = false;
  const heartbeat = setInterval(() => { if (!closed) raw.write(': heartbeat\n\n'); }, heartbeatMs);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    serverSignal.removeEventListener('abort', finish);
    if (!raw.writableEnded) raw.end();
    for (const fn of closers.splice(0)) fn();
  };
  raw.on('close', finish);
  raw.on('error', finish);
  serverSignal.addEventListener('abort', finish, { once: true });
  if (serverSignal.aborted) finish();
  return {
    send(event, data) {
      if (closed) return;
      raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: finish,
    get closed() { return closed; },
    onClose(fn) {
      if (closed) fn(); else closers.push(fn);
    },
  };
}
