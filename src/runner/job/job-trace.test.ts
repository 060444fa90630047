import { describe, expect, it } from 'vitest';
import { traceChecksum } from '../../protocol/index.js';
import type { JobUpdateResult, RunnerApiClient, TracePatchResult } from '../network/runner-api-client.js';
import { JobTrace } from './job-trace.js';

/** A coordinator that keeps the trace like GitLab does (416 when the offset is not its length). */
function fakeServer(o: { status?: () => string; firstOffset?: number } = {}) {
  let stored = Buffer.alloc(o.firstOffset ?? 0, 'x');
  const patches: Array<{ offset: number; text: string }> = [];
  const updates: Array<Record<string, unknown>> = [];
  const client = {
    async patchTrace(_id: number, _t: string, offset: number, data: Uint8Array): Promise<TracePatchResult> {
      patches.push({ offset, text: Buffer.from(data).toString() });
      const jobStatus = o.status?.() ?? 'running';
      if (offset !== stored.length) return { code: 416, offset: stored.length, jobStatus };
      stored = Buffer.concat([stored, Buffer.from(data)]);
      return { code: 202, offset: stored.length, jobStatus };
    },
    async updateJob(_id: number, _t: string, update: Record<string, unknown>): Promise<JobUpdateResult> {
      updates.push(update);
      return { code: 200, jobStatus: o.status?.() ?? 'running' };
    },
  };
  return { client: client as unknown as RunnerApiClient, patches, updates, stored: () => stored.toString() };
}

function trace(server: ReturnType<typeof fakeServer>, extra: { limit?: number; onAbort?: (r: string) => void } = {}): JobTrace {
  return new JobTrace({
    client: server.client, jobId: 1, jobToken: 'jt', outputLimitBytes: extra.limit ?? 1 << 20, finalUpdateAttempts: 3,
    onAbort: extra.onAbort ?? (() => {}), log: () => {},
  });
}

describe('JobTrace', () => {
  it('sends the whole log, then the final state with the crc32 checksum and size', async () => {
    const server = fakeServer();
    const t = trace(server);
    t.write('hello ');
    t.write(Buffer.from('world\n'));
    await t.finish({ state: 'failed', failureReason: 'script_failure', exitCode: 3 });
    expect(server.stored()).toBe('hello world\n');
    const checksum = traceChecksum(Buffer.from('hello world\n'));
    expect(server.updates).toEqual([{ state: 'failed', failure_reason: 'script_failure', exit_code: 3, checksum, output: { checksum, bytesize: 12 } }]);
  });

  it('continues from the server\'s Range after a 416', async () => {
    const server = fakeServer({ firstOffset: 3 });
    const t = trace(server);
    t.write('abcdef');
    await t.finish({ state: 'success' });
    expect(server.patches.map((p) => p.offset)).toEqual([0, 3]);
    expect(server.stored()).toBe('xxxdef');
  });

  it('calls onAbort when the server says the job was canceled', async () => {
    const server = fakeServer({ status: () => 'canceled' });
    const reasons: string[] = [];
    const t = trace(server, { onAbort: (r) => reasons.push(r) });
    t.write('x'.repeat(200 * 1024)); // enough to send at once
    await new Promise((r) => setTimeout(r, 50));
    expect(reasons).toEqual(['the job was canceled on the server']);
    t.dispose();
  });

  it('stops collecting at output_limit and says so', async () => {
    const server = fakeServer();
    const t = trace(server, { limit: 10 });
    t.write('0123456789abc');
    t.write('EXTRA');
    await t.finish({ state: 'success' });
    expect(server.stored()).toMatch(/^0123456789\n.*Job's log exceeded limit of 10 bytes\./s);
    expect(server.stored()).not.toContain('EXTRA');
  });
});
