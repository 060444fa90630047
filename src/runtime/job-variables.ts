// Variables the runner itself adds to the job's script (gitlab-runner facts §6.1), and the job
// variables the runtime interprets.
import type { ExecutorJob, JobPaths, ResolvedVariable } from '../executor/executor.js';
import { parseGoDuration } from './go-duration.js';

export type CiJobStatus = 'running' | 'success' | 'failed' | 'canceled' | 'timedout';

/**
 * The variables exported into a script stage. Runner defaults come first so the caller's
 * variables win (later entries win); CI_JOB_STATUS is always the runtime's.
 */
export function stageVariables(job: ExecutorJob, paths: JobPaths, timeoutSeconds: number, status: CiJobStatus): ResolvedVariable[] {
  return [
    plain('CI_SERVER', 'yes'),
    plain('CI_BUILDS_DIR', paths.buildsDir),
    plain('CI_PROJECT_DIR', paths.projectDir),
    plain('RUNNER_TEMP_PROJECT_DIR', paths.tmpDir),
    plain('CI_JOB_TIMEOUT', String(timeoutSeconds)),
    ...job.variables,
    plain('CI_JOB_STATUS', status),
  ];
}

/** Expands `$VAR` / `${VAR}` in `text` from `lookup` (the runner's rules: pipeline/variables/expand.ts). */
export type ExpandValue = (text: string, lookup: (name: string) => string | undefined) => string;

/**
 * The runner's final pass over a job's variables (gitlab-runner's JobVariables.Expand): each value
 * that is not raw has its references replaced from the list, once. References to file variables
 * stay for the shell, which sees the file's path.
 */
export function expandVariablesOnce(vars: readonly ResolvedVariable[], expand: ExpandValue): ResolvedVariable[] {
  const byKey = new Map(vars.map((v) => [v.key, v]));
  const lookup = (name: string): string | undefined => {
    const v = byKey.get(name);
    if (v === undefined) return undefined;
    return v.file ? `\${${name}}` : v.value;
  };
  return vars.map((v) => (v.raw || !v.value.includes('$') ? v : { ...v, value: expand(v.value, lookup) }));
}

/** Values of masked variables, for the masking sink. */
export function maskedValues(job: ExecutorJob): string[] {
  const values = new Set<string>();
  for (const v of [...job.spec.variables, ...job.variables]) if (v.masked && v.value !== '') values.add(v.value);
  return [...values];
}

/** A duration variable such as RUNNER_AFTER_SCRIPT_TIMEOUT (Go syntax, e.g. `10m`), in ms. */
export function durationVariable(job: ExecutorJob, key: string): number | undefined {
  let value: string | undefined;
  for (const v of job.variables) if (v.key === key) value = v.value;
  if (value === undefined || value.trim() === '') return undefined;
  const ms = parseGoDuration(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function plain(key: string, value: string): ResolvedVariable {
  return { key, value, masked: false, file: false, raw: true };
}
