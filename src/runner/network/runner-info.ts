// The `info` object a runner sends on every call (server facts §1.7): who we are and what we support.
import type { RunnerInfo } from '../../protocol/index.js';

/** Features drydock's runner implements; the server refuses jobs that need one we do not announce. */
export const RUNNER_FEATURES: Readonly<Record<string, boolean>> = {
  variables: true, image: true, services: true, artifacts: true, cache: true, fallback_cache_keys: true,
  shared: false, upload_multiple_artifacts: true, upload_raw_artifacts: true, session: false, terminal: false,
  refspecs: true, masking: true, proxy: false, raw_variables: true, artifacts_exclude: true,
  multi_build_steps: true, trace_reset: true, trace_checksum: true, trace_size: true, vault_secrets: false,
  cancelable: true, return_exit_code: true, service_variables: true, service_multiple_aliases: true,
  image_executor_opts: true, service_executor_opts: true, cancel_gracefully: false,
  native_steps_integration: false, two_phase_job_commit: false, job_inputs: false,
};

export interface RunnerInfoOptions {
  version: string;
  executor?: string;
  shell?: string;
}

export function runnerInfo(opts: RunnerInfoOptions): RunnerInfo {
  return {
    name: 'drydock',
    version: opts.version,
    revision: 'unknown',
    platform: process.platform,
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    ...(opts.executor ? { executor: opts.executor } : {}),
    shell: opts.shell ?? 'bash',
    features: { ...RUNNER_FEATURES },
    config: { gpus: '' },
  };
}
