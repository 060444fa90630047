// Builds an ExecutorJob with defaults, for tests of the runtime, the scheduler and the runner.
import type { JobSpec, JobVariable } from '../../pipeline/spec/job-spec.js';
import type { ExecutorJob, ResolvedVariable } from '../executor.js';

export interface FakeJobOptions {
  spec?: Partial<JobSpec>;
  /** Plain variables (added after `resolved`). */
  variables?: Record<string, string>;
  /** Variables with flags (masked, file). */
  resolved?: ResolvedVariable[];
  runId?: string;
  projectPath?: string;
  hostProjectDir?: string;
  hostTmpDir?: string;
  shell?: 'bash' | 'sh';
}

export function fakeJobSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'test', stage: 'test', stageIndex: 1, when: 'on_success', allowFailure: false,
    services: [], variables: [], hooks: { preGetSourcesScript: [] },
    beforeScript: [], script: ['echo hello'], afterScript: [],
    needs: null, dependencies: [], cache: [], retry: { max: 0, when: ['always'], exitCodes: [] },
    tags: [], interruptible: false,
    ...overrides,
  };
}

export function fakeJob(opts: FakeJobOptions = {}): ExecutorJob {
  const projectPath = opts.projectPath ?? 'group/project';
  const plain = Object.entries(opts.variables ?? {}).map(([key, value]): ResolvedVariable => ({ key, value, masked: false, file: false, raw: false }));
  const specVariables: JobVariable[] = opts.spec?.variables ?? [];
  return {
    runId: opts.runId ?? 'run-1',
    spec: fakeJobSpec({ ...opts.spec, variables: specVariables }),
    projectPath,
    hostProjectDir: opts.hostProjectDir ?? `/tmp/drydock-fake/${projectPath}`,
    hostTmpDir: opts.hostTmpDir ?? `/tmp/drydock-fake/${projectPath}.tmp`,
    variables: [...(opts.resolved ?? []), ...plain],
    shell: opts.shell ?? 'bash',
  };
}
