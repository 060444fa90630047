// What a local run tells its user, as events; the console reporters render them, tests record them.
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { JobResult } from '../../runtime/types.js';
import type { SummaryRow } from './summary-table.js';

export interface PipelineSummary {
  id: number;
  /** success, failed, canceled, skipped, or blocked (a blocking manual job waits). */
  status: string;
  durationMs: number;
  rows: SummaryRow[];
  logDir: string;
  /** Manual jobs that did not run, to suggest --manual. */
  waitingManual: string[];
}

export interface RunReporter {
  pipelineStarted(p: { id: number; jobs: readonly JobSpec[]; logDir: string }): void;
  jobStarted(job: JobSpec, attempt: number): void;
  /** Masked output of the job, raw (ANSI, partial lines). */
  jobOutput(job: JobSpec, chunk: string | Buffer): void;
  jobFinished(job: JobSpec, attempt: number, result: JobResult, info: { willRetry: boolean; logFile: string }): void;
  jobSkipped(job: JobSpec, reason: string): void;
  jobManual(job: JobSpec): void;
  /** A `when: delayed` job waits until `startAt` (GitLab's `scheduled`). */
  jobScheduled(job: JobSpec, startAt: Date): void;
  jobCanceled(job: JobSpec): void;
  notice(text: string): void;
  /** A trigger job created a child pipeline; its jobs' events follow with names `<trigger> » <job>`. */
  childPipelineStarted(trigger: JobSpec, p: { id: number; jobs: readonly JobSpec[]; logDir: string }): void;
  childPipelineFinished(trigger: JobSpec, summary: PipelineSummary): void;
  pipelineFinished(summary: PipelineSummary): void;
}
