// Events of a child pipeline, shown within its parent's output: every child job is named
// `<trigger job> » <child job>` so its lines group under the trigger job that created it.
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { RunReporter } from './run-reporter.js';

export function childReporter(parent: RunReporter, trigger: JobSpec, onCreated: (pipelineId: number) => void): RunReporter {
  const renamed = new Map<JobSpec, JobSpec>();
  const as = (j: JobSpec): JobSpec => {
    let r = renamed.get(j);
    if (r === undefined) {
      r = { ...j, name: `${trigger.name} » ${j.name}` };
      renamed.set(j, r);
    }
    return r;
  };
  return {
    pipelineStarted: (p) => {
      onCreated(p.id);
      parent.childPipelineStarted(trigger, { ...p, jobs: p.jobs.map(as) });
    },
    jobStarted: (j, attempt) => parent.jobStarted(as(j), attempt),
    jobOutput: (j, chunk) => parent.jobOutput(as(j), chunk),
    jobFinished: (j, attempt, result, info) => parent.jobFinished(as(j), attempt, result, info),
    jobSkipped: (j, reason) => parent.jobSkipped(as(j), reason),
    jobManual: (j) => parent.jobManual(as(j)),
    jobScheduled: (j, at) => parent.jobScheduled(as(j), at),
    jobCanceled: (j) => parent.jobCanceled(as(j)),
    notice: (text) => parent.notice(`${trigger.name} » ${text}`),
    pipelineFinished: (summary) => parent.childPipelineFinished(trigger, summary),
    childPipelineStarted: (t, p) => parent.childPipelineStarted(as(t), { ...p, jobs: p.jobs.map(as) }),
    childPipelineFinished: (t, s) => parent.childPipelineFinished(as(t), s),
  };
}
