// The job log as the coordinator receives it (server facts §1.8–1.9): a LogSink that keeps the
// output (up to output_limit), PATCHes new bytes every X-GitLab-Trace-Update-Interval seconds (or
// sooner when much is pending), follows 416 with the server's Range, sends `state=running`
// keep-alives, and ends with a flush and the final PUT (state, failure_reason, exit_code, crc32).
// A `Job-Status: canceled|canceling|failed` or a 403 on any call calls onAbort (the job stops).
import { traceChecksum, type UpdateJobRequest } from '../../protocol/index.js';
import type { LogSink } from '../../shared/log-sink.js';
import { backoffDelay, sleep } from '../network/http-retry.js';
import type { RunnerApiClient } from '../network/runner-api-client.js';
import { RunnerApiError } from '../network/runner-api-error.js';

const DEFAULT_INTERVAL_S = 3;
const MAX_INTERVAL_S = 15 * 60;
/** DefaultTracePatchLimit: 1 MiB per PATCH. */
const PATCH_LIMIT = 1024 * 1024;
/** Pending bytes that trigger a send before the interval. */
const EAGER_BYTES = 128 * 1024;
/**
 * A keep-alive PUT when nothing was sent for this long. gitlab-runner waits its force-send interval
 * (30 s); a silent job would then notice a cancel late, so this is shorter (and never under the
 * server's update interval).
 */
const MIN_KEEPALIVE_MS = 10_000;

export interface JobTraceOptions {
  client: RunnerApiClient;
  jobId: number;
  jobToken: string;
  /** [[runners]] output_limit in bytes. */
  outputLimitBytes: number;
  /** The server wants the job stopped (canceled, failed, or the token no longer works). */
  onAbort: (reason: string) => void;
  /** Messages for the runner's own log (not the job log). */
  log: (line: string) => void;
  /** How many times the final PUT is tried (job_status_final_update_retry_limit). */
  finalUpdateAttempts: number;
}

export interface FinalState {
  state: 'success' | 'failed';
  failureReason?: string;
  exitCode?: number;
}

export class JobTrace implements LogSink {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private sent = 0;
  private limited = false;
  private intervalMs = DEFAULT_INTERVAL_S * 1000;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private lastContact = Date.now();
  private stopped = false;
  /** Sending stops after a 404/403 on PATCH: the server will not take more log. */
  private patchesRefused = false;
  private readonly controller = new AbortController();

  constructor(private readonly o: JobTraceOptions) {}

  start(): void {
    this.schedule();
  }

  write(chunk: string | Buffer): void {
    if (this.limited) return;
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size + buf.length > this.o.outputLimitBytes) {
      buf = buf.subarray(0, Math.max(0, this.o.outputLimitBytes - this.size));
      this.limited = true;
    }
    this.append(buf);
    if (this.limited) {
      this.append(Buffer.from(`\n\x1b[31;1mJob's log exceeded limit of ${this.o.outputLimitBytes} bytes.\nJob execution will continue but no more output will be collected.\x1b[0;m\n`));
    }
    if (this.size - this.sent >= EAGER_BYTES && !this.sending) void this.flushOnce();
  }

  /** Everything written so far (for tests and the local log). */
  bytes(): Buffer {
    // Joined once and kept joined, so each patch does not copy the whole log again.
    if (this.chunks.length !== 1) {
      const all = Buffer.concat(this.chunks);
      this.chunks.length = 0;
      this.chunks.push(all);
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Flushes the log, then reports the final state; resolves when the server accepted it or gave up. */
  async finish(final: FinalState): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const signal = AbortSignal.timeout(5 * 60_000);
    await this.sending;
    const all = this.bytes();
    const update: Omit<UpdateJobRequest, 'token'> = {
      state: final.state,
      ...(final.failureReason ? { failure_reason: final.failureReason } : {}),
      ...(final.exitCode !== undefined ? { exit_code: final.exitCode } : {}),
      checksum: traceChecksum(all),
      output: { checksum: traceChecksum(all), bytesize: all.length },
    };
    for (let attempt = 1; attempt <= this.o.finalUpdateAttempts && !signal.aborted; attempt++) {
      try {
        await this.flushAll(signal);
        const r = await this.o.client.updateJob(this.o.jobId, this.o.jobToken, update, signal);
        if (r.code === 200) return;
        if (r.code === 403 || r.code === 404) {
          this.o.log(`job ${this.o.jobId}: the server no longer accepts updates for it (HTTP ${r.code}${r.jobStatus ? `, status ${r.jobStatus}` : ''})`);
          return;
        }
        if (r.code === 412) {
          // The server's copy of the log does not match the checksum: send it all again.
          this.sent = 0;
          continue;
        }
        // 202: the server is still storing the log; ask again after its interval.
        await sleep(Math.min(MAX_INTERVAL_S, r.updateIntervalSeconds ?? 1) * 1000, signal);
        attempt--;
      } catch (err) {
        if (signal.aborted) break;
        if (!(err instanceof RunnerApiError) || !err.retryable || attempt === this.o.finalUpdateAttempts) {
          this.o.log(`job ${this.o.jobId}: could not report the final state: ${(err as Error).message}`);
          if (!(err instanceof RunnerApiError) || !err.retryable) return;
        }
        await sleep(backoffDelay(attempt, 1000, 30_000, err), signal).catch(() => undefined);
      }
    }
  }

  /** Stops timers without reporting (the job was handed back or the process is exiting). */
  dispose(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller.abort();
  }

  private append(buf: Buffer): void {
    if (buf.length === 0) return;
    this.chunks.push(buf);
    this.size += buf.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    await this.flushOnce();
    if (!this.stopped && Date.now() - this.lastContact >= Math.max(MIN_KEEPALIVE_MS, this.intervalMs)) await this.keepAlive();
  }

  private flushOnce(): Promise<void> {
    this.sending ??= this.sendPending(this.controller.signal)
      .catch((err: unknown) => { if (!this.controller.signal.aborted) this.o.log(`job ${this.o.jobId}: sending the log failed (will retry): ${(err as Error).message}`); })
      .finally(() => { this.sending = undefined; });
    return this.sending;
  }

  private async flushAll(signal: AbortSignal): Promise<void> {
    while (this.sent < this.size && !this.patchesRefused) {
      const before = this.sent;
      await this.sendPending(signal);
      if (this.sent === before) throw new RunnerApiError('the server did not accept the log', 0, 'server');
    }
  }

  /** Sends up to one patch of pending bytes. */
  private async sendPending(signal: AbortSignal): Promise<void> {
    if (this.patchesRefused || this.sent >= this.size) return;
    const data = this.bytes().subarray(this.sent, Math.min(this.size, this.sent + PATCH_LIMIT));
    const r = await this.o.client.patchTrace(this.o.jobId, this.o.jobToken, this.sent, data, signal);
    this.lastContact = Date.now();
    if (r.updateIntervalSeconds !== undefined) this.intervalMs = Math.min(MAX_INTERVAL_S, r.updateIntervalSeconds) * 1000;
    if (r.code === 202 || r.code === 200) {
      this.sent = Math.min(this.size, r.offset ?? this.sent + data.length);
    } else if (r.code === 416) {
      // The server has a different length: continue from where it is.
      this.sent = Math.min(this.size, r.offset ?? 0);
    } else {
      this.patchesRefused = true;
    }
    this.checkStatus(r.code, r.jobStatus);
  }

  private async keepAlive(): Promise<void> {
    try {
      const r = await this.o.client.updateJob(this.o.jobId, this.o.jobToken, { state: 'running' }, this.controller.signal);
      this.lastContact = Date.now();
      this.checkStatus(r.code, r.jobStatus);
    } catch (err) {
      if (!this.controller.signal.aborted) this.o.log(`job ${this.o.jobId}: keep-alive failed (will retry): ${(err as Error).message}`);
    }
  }

  private checkStatus(code: number, jobStatus: string | undefined): void {
    if (this.stopped) return;
    if (jobStatus === 'canceled' || jobStatus === 'canceling' || jobStatus === 'failed') {
      this.o.onAbort(`the job was ${jobStatus === 'failed' ? 'failed' : 'canceled'} on the server`);
    } else if (code === 403 || code === 404) {
      this.o.onAbort(`the server no longer accepts this job (HTTP ${code})`);
    }
  }
}
