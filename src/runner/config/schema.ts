// The whole config.toml: global keys, [session_server] and [[runners]] (gitlab-runner's Config,
// RunnerConfig = RunnerCredentials + RunnerSettings). Key names are the TOML names; defaults are what
// gitlab-runner uses when a key is absent (or zero, where it treats zero as unset).
import { z } from 'zod';
import { CacheConfigSchema } from './cache-config.js';
import { DockerConfigSchema } from './docker-config.js';
import { KubernetesConfigSchema } from './kubernetes-config.js';
import { environmentList, goDuration, intDefaultWhen, opaqueTable, int } from './schema-parts.js';

export { DockerConfigSchema, type DockerConfig, type DockerConfigInput, allowedPullPolicies } from './docker-config.js';
export { KubernetesConfigSchema, type KubernetesConfig, type KubernetesConfigInput } from './kubernetes-config.js';
export { CacheConfigSchema, type CacheConfig, type CacheConfigInput } from './cache-config.js';
export { PULL_POLICIES, type PullPolicy, type ServiceConfig } from './schema-parts.js';

export const EXECUTORS = [
  'shell',
  'docker',
  'docker-windows',
  'docker+machine',
  'docker-autoscaler',
  'instance',
  'kubernetes',
  'ssh',
  'parallels',
  'virtualbox',
  'custom',
] as const;

export const SHELLS = ['bash', 'sh', 'pwsh', 'powershell'] as const;

/** DefaultTraceOutputLimit: 4 MiB, in KiB. */
export const DEFAULT_OUTPUT_LIMIT_KB = 4096;

/** A TOML date-time (smol-toml gives a Date subclass); gitlab-runner writes them for token times. */
const tomlDateTime = z.date({ error: 'expected a date-time like 2024-05-01T10:00:00Z (unquoted)' });

export const RunnerEntrySchema = z.strictObject({
  // RunnerCredentials. Empty url/token/executor load (a Helm template may omit them); the runner
  // rejects them before it starts (see parseRunnerConfig's requireCredentials).
  name: z.string().default(''),
  url: z.string().default(''),
  id: int().min(0).default(0),
  token: z.string().default(''),
  token_obtained_at: tomlDateTime.optional(),
  token_expires_at: tomlDateTime.optional(),
  'tls-ca-file': z.string().optional(),
  'tls-cert-file': z.string().optional(),
  'tls-key-file': z.string().optional(),

  // RunnerConfig.
  /** 0 = no limit (the global `concurrent` still applies). */
  limit: int().min(0, { error: 'must be 0 (no limit) or a number of jobs' }).default(0),
  output_limit: intDefaultWhen(DEFAULT_OUTPUT_LIMIT_KB, (v) => v <= 0),
  request_concurrency: intDefaultWhen(1, (v) => v <= 0),
  unhealthy_requests_limit: intDefaultWhen(3, (v) => v < 1),
  unhealthy_interval: goDuration().default('60m'),
  job_status_final_update_retry_limit: intDefaultWhen(10, (v) => v <= 0),

  // RunnerSettings.
  executor: z.enum(['', ...EXECUTORS]).default(''),
  shell: z.enum(SHELLS).optional(),
  builds_dir: z.string().optional(),
  cache_dir: z.string().optional(),
  clone_url: z.string().optional(),
  environment: environmentList(),
  pre_get_sources_script: z.string().optional(),
  post_get_sources_script: z.string().optional(),
  /** Deprecated names of pre/post_get_sources_script. */
  pre_clone_script: z.string().optional(),
  post_clone_script: z.string().optional(),
  pre_build_script: z.string().optional(),
  post_build_script: z.string().optional(),
  debug_trace_disabled: z.boolean().default(false),
  clean_git_config: z.boolean().optional(),
  safe_directory_checkout: z.boolean().optional(),
  strict_check_interval: z.boolean().default(false),
  prepare_timeout: goDuration().optional(),
  get_sources_timeout: goDuration().optional(),
  proxy_exec: z.boolean().default(false),
  feature_flags: z
    .record(
      z.string().regex(/^FF_[A-Z0-9_]+$/, { error: 'feature flag names look like FF_NETWORK_PER_BUILD' }),
      z.boolean(),
    )
    .default({}),
  custom_build_dir: z.strictObject({ enabled: z.boolean().optional() }).optional(),

  // Executor tables Drydock reads.
  docker: DockerConfigSchema.optional(),
  kubernetes: KubernetesConfigSchema.optional(),
  cache: CacheConfigSchema.optional(),

  // Tables of executors and features Drydock does not run: kept as written.
  ssh: opaqueTable().optional(),
  custom: opaqueTable().optional(),
  machine: opaqueTable().optional(),
  autoscaler: opaqueTable().optional(),
  parallels: opaqueTable().optional(),
  virtualbox: opaqueTable().optional(),
  instance: opaqueTable().optional(),
  referees: opaqueTable().optional(),
  artifact: opaqueTable().optional(),
});

export const SessionServerSchema = z.strictObject({
  listen_address: z.string().optional(),
  advertise_address: z.string().optional(),
  /** DefaultSessionTimeout: 30 minutes. */
  session_timeout: intDefaultWhen(1800, (v) => v <= 0),
});

export const RunnerConfigFileSchema = z.strictObject({
  /** Jobs across all [[runners]]; 0 is a critical error in gitlab-runner. */
  concurrent: int()
    .min(1, { error: 'must be at least 1 (it caps the jobs run at once across all [[runners]])' })
    .default(1),
  /** Seconds between job requests; `0` or less means 3. */
  check_interval: intDefaultWhen(3, (v) => v <= 0),
  log_level: z.enum(['debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']).default('info'),
  log_format: z.enum(['runner', 'text', 'json']).default('runner'),
  listen_address: z.string().optional(),
  sentry_dsn: z.string().optional(),
  connection_max_age: goDuration().default('15m'),
  /** Seconds; `0` or less means 30. */
  shutdown_timeout: intDefaultWhen(30, (v) => v <= 0),
  user: z.string().optional(),
  session_server: SessionServerSchema.optional(),
  runners: z
    .array(RunnerEntrySchema, {
      error: (iss) =>
        iss.code === 'invalid_type' ? 'expected [[runners]] tables (write [[runners]], with double brackets)' : undefined,
    })
    .default([]),
  machine: opaqueTable().optional(),
  experimental: opaqueTable().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export type RunnerConfigFile = z.infer<typeof RunnerConfigFileSchema>;
export type RunnerConfigFileInput = z.input<typeof RunnerConfigFileSchema>;
export type RunnerEntry = z.infer<typeof RunnerEntrySchema>;
/** What a caller must supply to write a runner entry: everything with a default may be left out. */
export type RunnerEntryInput = z.input<typeof RunnerEntrySchema>;
export type Executor = (typeof EXECUTORS)[number];
