// GitLab's atomic pipeline processing as a pure function (server facts §5.2–5.5): given the current
// jobs of a pipeline, decide which `created` jobs become pending, manual or skipped, and the
// resulting pipeline status. Run after every job status change.
import type { JobWhen } from '../../pipeline/spec/job-spec.js';
import { compositeStatus, isCompleted, type JobStatus, type StatusItem } from './job-status.js';

export interface ProcessableJob {
  id: number;
  name: string;
  stageIndex: number;
  status: JobStatus;
  when: JobWhen;
  /** Effective allow_failure (exit-code lists already resolved against the job's exit code). */
  allowFailure: boolean;
  /** null: stage ordering; a list: DAG ordering on these job names. */
  needs: string[] | null;
  /** Has a resource_group: it waits for the resource (waiting_for_resource) instead of pending. */
  usesResource?: boolean;
}

export interface ProcessResult {
  /** New statuses of jobs that changed. */
  changes: Array<{ id: number; status: JobStatus }>;
  /** Composite of all jobs after the changes; undefined when there are no jobs. */
  pipelineStatus: JobStatus | undefined;
}

export function processPipeline(input: readonly ProcessableJob[]): ProcessResult {
  const jobs = input.map((j) => ({ ...j }));
  const byName = new Map<string, typeof jobs>();
  for (const j of jobs) {
    const list = byName.get(j.name);
    if (list) list.push(j); else byName.set(j.name, [j]);
  }
  const changes = new Map<number, JobStatus>();
  // Iterate to a fixpoint: a job may unblock another in the same pass (needs within a stage).
  for (let changed = true; changed;) {
    changed = false;
    for (const job of [...jobs].sort((a, b) => a.stageIndex - b.stageIndex || a.id - b.id)) {
      if (job.status !== 'created') continue;
      const previous = previousStatus(job, jobs, byName);
      if (previous === undefined) continue;
      const next = decide(job, previous);
      job.status = next;
      changes.set(job.id, next);
      changed = true;
    }
  }
  return {
    changes: [...changes].map(([id, status]) => ({ id, status })),
    pipelineStatus: compositeStatus(jobs.map(item)),
  };
}

function item(j: ProcessableJob): StatusItem {
  return { status: j.status, allowFailure: j.allowFailure };
}

/** The status the job's predecessors add up to, or undefined while they are not complete. */
function previousStatus(job: ProcessableJob, jobs: readonly ProcessableJob[], byName: Map<string, ProcessableJob[]>): JobStatus | undefined {
  if (job.needs === null) {
    const earlier = jobs.filter((j) => j.stageIndex < job.stageIndex);
    const status = compositeStatus(earlier.map(item)) ?? 'success';
    return isCompleted(status) ? status : undefined;
  }
  const needed = job.needs.flatMap((name) => byName.get(name) ?? []);
  if (needed.some((j) => j.status === 'skipped' || (j.status === 'manual' && j.allowFailure))) return 'skipped';
  if (needed.some((j) => !isCompleted(j.status))) return undefined;
  return compositeStatus(needed.map(item)) ?? 'success';
}

function decide(job: ProcessableJob, previous: JobStatus): JobStatus {
  const stageMode = job.needs === null;
  let proceed: boolean;
  switch (job.when) {
    case 'on_failure': proceed = previous === 'failed'; break;
    case 'always': proceed = previous === 'success' || previous === 'failed' || previous === 'skipped'; break;
    default: proceed = previous === 'success' || (stageMode && previous === 'skipped');
  }
  if (!proceed) return 'skipped';
  if (job.when === 'manual') return 'manual';
  // A delayed job waits for its start_in timer (pipeline-processor sets scheduled_at).
  if (job.when === 'delayed') return 'scheduled';
  return job.usesResource === true ? 'waiting_for_resource' : 'pending';
}
