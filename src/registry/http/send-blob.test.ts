// sendBlob over real HTTP with a scripted BlobReader: exact bytes in small reused chunks, ranges,
// empty blobs, a read failing before and after the headers, a file shorter than its size, a
// client that goes away mid-body and one that stops reading (backpressure).
import { randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlobReader, ByteRange } from '../storage/registry-storage.js';
import { sendBlob } from './send-blob.js';

interface ScriptedReader extends BlobReader {
  reads: Array<{ length: number; position: number }>;
  bytesRead: number;
  closed: Promise<void>;
}

/** A reader of `data` announcing `size` (default its length); `failAt` makes the read covering that offset throw. */
function scripted(data: Buffer, options: { size?: number; failAt?: number; virtual?: boolean } = {}): ScriptedReader {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const size = options.size ?? data.length;
  const reader: ScriptedReader = {
    size,
    reads: [],
    bytesRead: 0,
    closed,
    async read(buffer, length, position) {
      reader.reads.push({ length, position });
      if (options.failAt !== undefined && position + length > options.failAt) throw new Error('EIO: simulated disk failure');
      // A virtual blob (no backing bytes) fills the buffer as is: for tests that only count.
      const n = options.virtual ? Math.min(length, size - position) : Math.max(0, data.copy(buffer, 0, position, Math.min(data.length, position + length)));
      reader.bytesRead += n;
      return n;
    },
    async close() {
      markClosed();
    },
  };
  return reader;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(reader: BlobReader, range?: ByteRange, chunkSize = 7): Promise<{ port: number; errors: unknown[] }> {
  const errors: unknown[] = [];
  const app = Fastify({ logger: false });
  apps.push(app);
  app.setErrorHandler(async (error, _request, reply) => {
    errors.push(error);
    if (!reply.sent) await reply.code(500).send({ error: (error as Error).message });
  });
  app.get('/blob', async (req, reply) => {
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('client went away'));
    });
    reply.header('Content-Type', 'application/octet-stream').header('Content-Length', String(range ? range.end - range.start + 1 : reader.size));
    if (range) reply.code(206);
    try {
      await sendBlob(reply, reader, range, controller.signal, chunkSize);
    } catch (error) {
      // After the headers the error can only be logged; this records it for the assertions.
      if (reply.sent) errors.push(error);
      throw error;
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (app.server.address() as AddressInfo).port, errors };
}

interface Got { status: number; headers: IncomingMessage['headers']; body: Buffer; aborted: boolean }

function get(port: number): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/blob', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), aborted: aborted || !res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

describe('sendBlob', () => {
  it('sends the whole blob exactly, in reused chunks, with Content-Length and no chunked encoding, then closes the reader', async () => {
    const reader = scripted(data);
    const { port, errors } = await serve(reader);
    const res = await get(port);
    expect(res.status).toBe(200);
    expect(res.body.equals(data)).toBe(true);
    expect(res.headers['content-length']).toBe('1000');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.aborted).toBe(false);
    expect(reader.reads.every((r) => r.length <= 7)).toBe(true);
    expect(reader.reads.map((r) => r.position)).toEqual(Array.from({ length: Math.ceil(1000 / 7) }, (_, i) => i * 7));
    await reader.closed;
    expect(errors).toEqual([]);
  });

  it('never refills a buffer before its bytes were written, even to a slow client', async () => {
    const big = randomBytes(8 * 1024 * 1024 + 3);
    const reader = scripted(big);
    const { port } = await serve(reader, undefined, 64 * 1024);
    const res = await new Promise<Buffer>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/blob', agent: false }, (response) => {
        const chunks: Buffer[] = [];
        // Stall first so writes queue up behind full socket buffers, then drain slowly.
        response.pause();
        setTimeout(() => response.resume(), 100);
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve(Buffer.concat(chunks)));
        response.on('error', reject);
      }).on('error', reject).end();
    });
    expect(res.length).toBe(big.length);
    expect(res.equals(big)).toBe(true);
    await reader.closed;
  });

  it('sends exactly the requested range and reads nothing outside it', async () => {
    const reader = scripted(data);
    const { port } = await serve(reader, { start: 100, end: 449 });
    const res = await get(port);
    expect(res.status).toBe(206);
    expect(res.headers['content-length']).toBe('350');
    expect(res.body.equals(data.subarray(100, 450))).toBe(true);
    expect(Math.min(...reader.reads.map((r) => r.position))).toBe(100);
    expect(Math.max(...reader.reads.map((r) => r.position + r.length))).toBe(450);
    await reader.closed;
  });

  it('sends an empty blob without reading', async () => {
    const reader = scripted(Buffer.alloc(0));
    const { port } = await serve(reader);
    const res = await get(port);
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.aborted).toBe(false);
    expect(reader.reads).toEqual([]);
    await reader.closed;
  });

  it('answers an error response when the first read fails, and closes the reader', async () => {
    const reader = scripted(data, { failAt: 0 });
    const { port, errors } = await serve(reader);
    const res = await get(port);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'EIO: simulated disk failure' });
    await reader.closed;
    expect(errors).toHaveLength(1);
  });

  it('cuts the connection when a later read fails, so the client sees a short body', async () => {
    const reader = scripted(data, { failAt: 500 });
    const { port, errors } = await serve(reader);
    const res = await get(port);
    expect(res.status).toBe(200);
    expect(res.aborted).toBe(true);
    expect(res.body.length).toBeLessThan(1000);
    expect(res.body.equals(data.subarray(0, res.body.length))).toBe(true);
    await reader.closed;
    expect(String(errors[0])).toContain('EIO');
  });

  it('cuts the connection when the stored file is shorter than its size', async () => {
    const reader = scripted(data.subarray(0, 600), { size: 1000 });
    const { port, errors } = await serve(reader);
    const res = await get(port);
    expect(res.aborted).toBe(true);
    expect(res.body.equals(data.subarray(0, 600))).toBe(true);
    await reader.closed;
    expect(String(errors[0])).toContain('shorter than its size');
  });

  it('stops reading and closes the reader when the client goes away mid-body', async () => {
    const reader = scripted(Buffer.alloc(0), { size: 1024 ** 3, virtual: true });
    const { port, errors } = await serve(reader, undefined, 256 * 1024);
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/blob', agent: false }, (res) => {
        res.once('data', () => req.destroy());
      });
      req.on('error', () => undefined);
      req.on('close', resolve);
      req.end();
    });
    await reader.closed;
    expect(reader.bytesRead).toBeLessThan(1024 ** 3);
    expect(errors).toEqual([]);
  });

  it('does not read ahead of a client that stops reading (backpressure)', async () => {
    const reader = scripted(Buffer.alloc(0), { size: 1024 ** 3, virtual: true });
    const { port } = await serve(reader, undefined, 256 * 1024);
    const req = request({ host: '127.0.0.1', port, path: '/blob', agent: false });
    const res = await new Promise<IncomingMessage>((resolve) => {
      req.on('response', resolve);
      req.end();
    });
    res.pause();
    // Whatever the machine's speed, only the socket buffers and two chunks can be ahead of the client.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reader.bytesRead).toBeLessThan(64 * 1024 * 1024);
    req.destroy();
    await reader.closed;
  });
});
