// PUT /api/v4/jobs/:id (state update) and PATCH /api/v4/jobs/:id/trace (incremental log),
// server facts §1.8–1.9. The job token comes from the body `token` or the JOB-TOKEN header.
import { z } from 'zod';
import { runnerInfoSchema } from './runner-registration.js';

export const JOB_TOKEN_HEADER = 'job-token';
/** Response header telling the runner the job's current status (`canceled` makes it abort). */
export const JOB_STATUS_HEADER = 'Job-Status';
export const TRACE_UPDATE_INTERVAL_HEADER = 'X-GitLab-Trace-Update-Interval';

export const updateJobRequestSchema = z.looseObject({
  token: z.string().optional(),
  state: z.string().optional(),
  failure_reason: z.string().optional(),
  exit_code: z.number().int().nullable().optional(),
  checksum: z.string().optional(),
  output: z.looseObject({ checksum: z.string().optional(), bytesize: z.number().int().optional() }).optional(),
  info: runnerInfoSchema.optional(),
});
export type UpdateJobRequest = z.infer<typeof updateJobRequestSchema>;

/** The states a runner may report; anything else is a 400. */
export const RUNNER_STATES = ['pending', 'running', 'success', 'failed'] as const;
export type RunnerState = (typeof RUNNER_STATES)[number];

export function isRunnerState(state: string | undefined): state is RunnerState {
  return (RUNNER_STATES as readonly string[]).includes(state ?? '');
}

/** `Content-Range: <start>-<end>` of a trace PATCH (end inclusive; only start is trusted). */
export function parseContentRange(header: string | undefined): { start: number; end: number } | undefined {
  const m = /^\s*(?:bytes\s+)?(\d+)-(\d+)\s*$/.exec(header ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** `Content-Range` for a chunk of `length` bytes written at `start`. */
export function formatContentRange(start: number, length: number): string {
  return `${start}-${start + length - 1}`;
}

/** `Range: 0-<size>` as the server sends it after a trace PATCH (202 or 416). */
export function parseTraceRange(header: string | undefined): number | undefined {
  const m = /^\s*0-(\d+)\s*$/.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

/** IEEE CRC-32 of the trace, as `crc32:%08x` (the runner's checksum format). */
export function traceChecksum(data: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return `crc32:${((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0')}`;
}
