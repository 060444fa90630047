// The variables of a runner job (runner facts §6, GetAllVariables), lowest precedence first:
//   resolved FF_* → runner base (CI_JOB_IMAGE, [[runners]] environment, CI_RUNNER_SHORT_TOKEN, ...)
//   → the server's job variables (minus FF_*) → the runner's "after" variables (directories, slots).
// Then every non-raw value has its `$VAR` references expanded once (JobVariables.Expand).
import type { JobPaths, ResolvedVariable } from '../../executor/executor.js';
import { dockerConfigFromCredentials, type JobPayload } from '../../protocol/index.js';
import { expandVariablesOnce, type ExpandValue } from '../../runtime/job-variables.js';
import { parseEnvironmentEntry } from '../config/environment-entry.js';

/** gitlab-runner's value expansion (Go os.Expand): unknown names become empty, `$$` becomes `$`. */
export type { ExpandValue };

export interface RunnerJobVariablesInput {
  payload: JobPayload;
  paths: JobPaths;
  /** [[runners]] environment entries (`KEY=value`). */
  environment: readonly string[];
  /** [runners.feature_flags]: win over the job's FF_* variables. */
  featureFlags: Readonly<Record<string, boolean>>;
  shortToken: string;
  concurrentId: number;
  concurrentProjectId: number;
  executorName: string;
  version: string;
  expand: ExpandValue;
}

export function runnerJobVariables(o: RunnerJobVariablesInput): ResolvedVariable[] {
  const merged = new Map<string, ResolvedVariable>();
  const put = (key: string, value: string, extra: Partial<ResolvedVariable> = {}): void => {
    merged.delete(key);
    merged.set(key, { key, value, masked: false, file: false, raw: false, ...extra });
  };
  const flags = new Map<string, string>();
  for (const v of o.payload.variables) if (v.key.startsWith('FF_')) flags.set(v.key, v.value);
  for (const [k, v] of Object.entries(o.featureFlags)) flags.set(k, String(v));
  for (const [k, v] of flags) put(k, v, { raw: true });

  if (o.payload.image?.name) put('CI_JOB_IMAGE', o.payload.image.name);
  for (const entry of o.environment) {
    const parsed = parseEnvironmentEntry(entry);
    if (!('error' in parsed)) put(parsed.key, parsed.value);
  }
  put('CI_RUNNER_SHORT_TOKEN', o.shortToken, { raw: true });
  put('CI_SERVER', 'yes', { raw: true });
  put(o.executorName === 'shell' ? 'CI_SHARED_ENVIRONMENT' : 'CI_DISPOSABLE_ENVIRONMENT', 'true', { raw: true });
  put('CI_RUNNER_VERSION', o.version, { raw: true });
  put('CI_RUNNER_REVISION', 'drydock', { raw: true });
  put('CI_RUNNER_EXECUTABLE_ARCH', `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`, { raw: true });

  for (const v of o.payload.variables) {
    if (v.key.startsWith('FF_')) continue;
    // `public` decides what services see (gitlab-runner passes only public/internal ones to them).
    put(v.key, v.value, { masked: v.masked, file: v.file ?? false, raw: v.raw ?? false, ...(v.public === false ? { public: false } : {}) });
  }

  put('CI_BUILDS_DIR', o.paths.buildsDir, { raw: true });
  put('CI_PROJECT_DIR', o.paths.projectDir, { raw: true });
  put('CI_CONCURRENT_ID', String(o.concurrentId), { raw: true });
  put('CI_CONCURRENT_PROJECT_ID', String(o.concurrentProjectId), { raw: true });
  put('CI_JOB_TIMEOUT', String(o.payload.runner_info.timeout), { raw: true });
  const auth = registryAuthConfig(o.payload);
  if (auth !== undefined && !merged.has('DOCKER_AUTH_CONFIG')) put('DOCKER_AUTH_CONFIG', auth, { raw: true, masked: true });
  return expandVariablesOnce([...merged.values()], o.expand);
}

/**
 * The payload's registry `credentials` (GitLab registry and dependency proxy, job token as password)
 * as a Docker config, so the executor can pull job and service images from them. gitlab-runner
 * consults them after DOCKER_AUTH_CONFIG and the runner's own Docker config; here they take the
 * place of DOCKER_AUTH_CONFIG only when the job and runner define none.
 */
function registryAuthConfig(payload: JobPayload): string | undefined {
  const config = dockerConfigFromCredentials(payload.credentials);
  return config ? JSON.stringify(config) : undefined;
}

