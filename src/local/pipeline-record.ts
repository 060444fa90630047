// .drydock/pipelines/<id>/pipeline.json: what a local pipeline ran, for people and for tests
// (job statuses, attempts, start/end times, log files).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SchedulerResult } from './scheduler.js';
import type { StateDir } from './state-dir.js';

export interface PipelineRecordInput {
  createdAt: Date;
  finishedAt: Date;
  status: string;
  ref: string;
  sha: string;
  scheduled: SchedulerResult;
  /** Log file of a job's attempt; `last` is the latest attempt. */
  logFile(name: string, attempt: number, last: boolean): string;
}

export interface PipelineRecord {
  id: number;
  status: string;
  ref: string;
  sha: string;
  createdAt: string;
  finishedAt: string;
  jobs: Array<{
    name: string;
    stage: string;
    status: string;
    allowFailure: boolean | { exitCodes: number[] };
    attempts: Array<{ status: string; failureReason?: string; exitCode?: number; allowedToFail: boolean; startedAt: string; finishedAt: string; logFile: string; timings: Array<{ stage: string; ms: number }> }>;
  }>;
}

export async function writePipelineRecord(state: StateDir, id: number, r: PipelineRecordInput): Promise<string> {
  const record: PipelineRecord = {
    id,
    status: r.status,
    ref: r.ref,
    sha: r.sha,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    jobs: r.scheduled.jobs.map((j) => ({
      name: j.spec.name,
      stage: j.spec.stage,
      status: j.status,
      allowFailure: j.spec.allowFailure,
      attempts: j.attempts.map((a, i) => ({
        status: a.status,
        ...(a.failureReason !== undefined ? { failureReason: a.failureReason } : {}),
        ...(a.exitCode !== undefined ? { exitCode: a.exitCode } : {}),
        allowedToFail: a.allowedToFail,
        startedAt: a.startedAt.toISOString(),
        finishedAt: a.finishedAt.toISOString(),
        logFile: r.logFile(j.spec.name, i + 1, i === j.attempts.length - 1),
        timings: a.timings,
      })),
    })),
  };
  const file = path.join(state.pipelineDir(id), 'pipeline.json');
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
