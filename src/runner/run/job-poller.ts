// One request loop for one [[runners]] entry (there are `request_concurrency` of them): take a build
// slot, POST /jobs/request (long poll once X-GitLab-Last-Update is known), hand a job to `start`,
// sleep `check_interval` after "no job". Failures back off exponentially (capped at 60 s) and are
// logged once per change, so an unreachable server or a revoked token never crashes or floods.
import type { RunnerInfo } from '../../protocol/index.js';
import type { JobPayload } from '../../protocol/index.js';
import type { RunnerEntry } from '../config/schema.js';
import { backoffDelay, sleep } from '../network/http-retry.js';
import type { RunnerApiClient } from '../network/runner-api-client.js';
import { RunnerApiError } from '../network/runner-api-error.js';
import type { JobSlots, SlotLease } from './job-slots.js';
import type { RunnerLog } from './runner-log.js';

export interface JobPollerOptions {
  /** Current settings of the entry (may change when config.toml is reloaded). */
  runner: () => RunnerEntry;
  /** Key of the entry in the slots (its token). */
  key: string;
  label: string;
  client: RunnerApiClient;
  slots: JobSlots;
  systemId: string;
  info: () => RunnerInfo;
  checkIntervalSeconds: () => number;
  /** Called with a job and its slot; must release the lease when the job is over. */
  start: (payload: JobPayload, lease: SlotLease) => void;
  /** False once no more jobs may be taken (max-builds reached). */
  mayTakeJob: () => boolean;
  log: RunnerLog;
}

const MAX_BACKOFF_MS = 60_000;

export async function pollJobs(o: JobPollerOptions, stop: AbortSignal): Promise<void> {
  let lastUpdate: string | undefined;
  let failures = 0;
  let lastError = '';
  while (!stop.aborted && o.mayTakeJob()) {
    let lease: SlotLease;
    try {
      lease = await o.slots.acquire(o.key, () => o.runner().limit, stop);
    } catch {
      return;
    }
    if (!o.mayTakeJob()) { lease.release(); return; }
    let handedOver = false;
    try {
      const r = await o.client.requestJob({ token: o.runner().token, systemId: o.systemId, info: o.info(), ...(lastUpdate !== undefined ? { lastUpdate } : {}) }, stop);
      if (failures > 0) o.log.info(`${o.label}: ${o.client.baseUrl} answers again; polling resumed`);
      failures = 0;
      lastError = '';
      // Only a "no job" answer says the queue was seen empty at that version (GitLab sends the header
      // only then); keeping a 201's value would make a long-polling server skip the jobs still pending.
      if (r.kind === 'none' && r.lastUpdate !== undefined) lastUpdate = r.lastUpdate;
      if (r.kind === 'invalid') {
        o.log.error(`${o.label}: job ${r.jobId}: ${r.problem}; reporting it as failed`);
        lease.release();
        await failUnreadableJob(o.client, r.jobId, r.jobToken, r.problem, stop);
        continue;
      }
      if (r.kind === 'job') {
        o.log.info(`${o.label}: received job ${r.payload.id} (${r.payload.job_info.name}) of ${r.payload.job_info.project_full_path ?? r.payload.job_info.project_name}`);
        handedOver = true;
        o.start(r.payload, lease);
        if (o.runner().strict_check_interval) await sleep(o.checkIntervalSeconds() * 1000, stop).catch(() => undefined);
        continue;
      }
      lease.release();
      await sleep(o.checkIntervalSeconds() * 1000, stop).catch(() => undefined);
    } catch (err) {
      if (!handedOver) lease.release();
      if (stop.aborted) return;
      failures++;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== lastError) {
        (err instanceof RunnerApiError && err.kind === 'conflict' ? o.log.info : o.log.error).call(o.log, `${o.label}: ${message}`);
        lastError = message;
      }
      // 409: another runner won the race, ask again soon; everything else backs off.
      const delay = err instanceof RunnerApiError && err.kind === 'conflict' ? 1000 : backoffDelay(failures, 1000, MAX_BACKOFF_MS, err);
      await sleep(delay, stop).catch(() => undefined);
    }
  }
}

/** Tells the server an assigned job cannot run here, so it does not stay `running` until it goes stale. */
async function failUnreadableJob(client: RunnerApiClient, jobId: number, jobToken: string, problem: string, signal: AbortSignal): Promise<void> {
  const text = Buffer.from(`\x1b[31;1mERROR: Job failed (system failure): ${problem}\x1b[0;m\n`);
  await client.patchTrace(jobId, jobToken, 0, text, signal).catch(() => undefined);
  await client.updateJob(jobId, jobToken, { state: 'failed', failure_reason: 'runner_system_failure' }, signal).catch(() => undefined);
}
