import { describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:net';
import { waitForReadiness } from './wait-for-readiness.js';
import { waitForTcpPorts } from './wait-for-tcp-ports.js';
import { probeTcpPort } from './probe-tcp-port.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}

async function freePort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise((r) => server.close(r));
  return port;
}

describe('probeTcpPort', () => {
  it('tells open from refused', async () => {
    const { server, port } = await listen();
    const closed = await freePort();
    expect(await probeTcpPort('127.0.0.1', port, 1000, new AbortController().signal)).toBe('open');
    expect(await probeTcpPort('127.0.0.1', closed, 1000, new AbortController().signal)).toBe('refused');
    server.close();
  });
});

describe('waitForTcpPorts', () => {
  it('returns the port that opens later, among several', async () => {
    const port = await freePort();
    const other = await freePort();
    const late = createServer((s) => s.end());
    setTimeout(() => late.listen(port, '127.0.0.1'), 100);
    const r = await waitForTcpPorts({ host: '127.0.0.1', ports: [other, port], signal: AbortSignal.timeout(5000) });
    expect(r.port).toBe(port);
    expect(r.attempts).toBeGreaterThan(1);
    late.close();
  });
  it('gives up when its signal fires', async () => {
    const port = await freePort();
    await expect(waitForTcpPorts({ host: '127.0.0.1', ports: [port], signal: AbortSignal.timeout(100) })).rejects.toBeDefined();
  });
});

describe('waitForReadiness', () => {
  it('reports the exit when the service ends before it is ready', async () => {
    const r = await waitForReadiness({
      ready: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
      exited: Promise.resolve({ code: 3 }),
      timeoutMs: 5000,
      signal: new AbortController().signal,
    });
    expect(r).toMatchObject({ kind: 'exited', value: { code: 3 } });
  });
  it('reports a timeout', async () => {
    const r = await waitForReadiness({ ready: () => new Promise(() => {}), exited: new Promise(() => {}), timeoutMs: 20, signal: new AbortController().signal });
    expect(r.kind).toBe('timeout');
  });
  it('reports ready with the value', async () => {
    const r = await waitForReadiness({ ready: async () => 2376, exited: new Promise(() => {}), timeoutMs: 1000, signal: new AbortController().signal });
    expect(r).toMatchObject({ kind: 'ready', value: 2376 });
  });
  it('rejects on cancel', async () => {
    const c = new AbortController();
    const p = waitForReadiness({ ready: () => new Promise(() => {}), exited: new Promise(() => {}), timeoutMs: 5000, signal: c.signal });
    c.abort(new Error('cancel'));
    await expect(p).rejects.toThrow('cancel');
  });
});
