// JobSpec: the ONLY pipeline type that the runtime, the runner protocol and the executors see.
// Its shape follows GitLab's job payload (POST /api/v4/jobs/request) so that a job compiled
// locally and a job received from a coordinator become the same value.

export type JobWhen = 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed';
export type PullPolicy = 'always' | 'if-not-present' | 'never';
export type ArtifactWhen = 'on_success' | 'on_failure' | 'always';
export type CachePolicy = 'pull' | 'push' | 'pull-push';

/** One variable as the job receives it. Later entries with the same key win. */
export interface JobVariable {
  key: string;
  value: string;
  /** Shown in logs/UI (GitLab's `public`). */
  public: boolean;
  /** Replaced by [MASKED] in every log line. */
  masked: boolean;
  /** Written to a temp file; the variable holds the file's path. */
  file: boolean;
  /** Not expanded (`expand: false`). */
  raw: boolean;
  /**
   * The YAML text of a variable whose value the compiler's expansion changed. GitLab expands a
   * job's variables only when the job is picked up, with the dotenv reports of its dependencies in
   * the collection, so pickup expands again from this text (see variablesAsWritten).
   */
  yamlValue?: string;
}

export interface ImageSpec {
  name: string;
  /** Overrides the image ENTRYPOINT; `['']` clears it. Absent: the image's own entrypoint is kept. */
  entrypoint?: string[];
  /** Pull policies in order of preference; empty = executor default. */
  pullPolicy: PullPolicy[];
  docker?: { platform?: string; user?: string };
  kubernetes?: { user?: string };
}

export interface ServiceSpec extends ImageSpec {
  /** User aliases (the YAML `alias`, split on commas and spaces), never variable-expanded. */
  aliases: string[];
  /** Overrides the image CMD. */
  command?: string[];
  /** Service-only variables (`services:variables`), applied after the job's. */
  variables: JobVariable[];
}

export interface ArtifactSpec {
  name: string;
  paths: string[];
  exclude: string[];
  untracked: boolean;
  when: ArtifactWhen;
  /** As written, e.g. "1 week" or "never"; absent = instance default. */
  expireIn?: string;
  /** report type → paths, e.g. { dotenv: ['build.env'], junit: ['report.xml'] }. */
  reports: Record<string, string[]>;
}

export interface CacheSpec {
  /** Resolved key (or the literal key when it depends on files/variables resolved later). */
  key: string;
  /** `cache:key:files` (the key is then derived from these files' last commits). */
  keyFiles?: string[];
  keyPrefix?: string;
  paths: string[];
  untracked: boolean;
  policy: CachePolicy;
  when: ArtifactWhen;
  fallbackKeys: string[];
  unprotect: boolean;
}

export interface NeedSpec {
  /** Name of the needed job (for a parallel job: one entry per generated instance). */
  job: string;
  artifacts: boolean;
  optional: boolean;
}

export interface RetrySpec {
  max: number;
  /** Failure reasons that allow a retry; ['always'] by default. */
  when: string[];
  exitCodes: number[];
}

export interface EnvironmentSpec {
  name: string;
  url?: string;
  action: 'start' | 'prepare' | 'stop' | 'verify' | 'access';
  onStop?: string;
  autoStopIn?: string;
  deploymentTier?: string;
}

export interface JobSpec {
  /** The job's name as GitLab shows it (`build 1/3`, `build: [amd64, alpine]`). */
  name: string;
  stage: string;
  /** Index of `stage` in the pipeline's stage list (`.pre` is 0). */
  stageIndex: number;
  when: JobWhen;
  /** For `when: delayed`: the duration text (`30 minutes`). */
  startIn?: string;
  /** `true`, `false`, or allowed only for these exit codes. */
  allowFailure: boolean | { exitCodes: number[] };
  image?: ImageSpec;
  services: ServiceSpec[];
  /** YAML variables (global merged with job and matching rules, respecting `inherit`), values expanded. */
  variables: JobVariable[];
  hooks: { preGetSourcesScript: string[] };
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  /** `null`: ordered by stages. An array (possibly empty): starts when these are done. */
  needs: NeedSpec[] | null;
  /** Names of jobs whose artifacts this job downloads (resolved from `dependencies`/`needs`). */
  dependencies: string[];
  artifacts?: ArtifactSpec;
  cache: CacheSpec[];
  /** Job timeout in seconds (`timeout:`); absent = project/runner default. */
  timeoutSeconds?: number;
  retry: RetrySpec;
  tags: string[];
  interruptible: boolean;
  resourceGroup?: string;
  environment?: EnvironmentSpec;
  /** The `coverage` regex source without slashes. */
  coverage?: string;
  /** For `parallel: N`: this instance's index and the total (CI_NODE_INDEX / CI_NODE_TOTAL). */
  parallel?: { index: number; total: number };
  /** Trigger jobs are kept in the model; executing them needs a coordinator. */
  trigger?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  idTokens?: Record<string, unknown>;
  /** `manual_confirmation` text. */
  manualConfirmation?: string;
  /** Where the job was defined, for messages. */
  source?: { file: string; line: number };
}

export interface Pipeline {
  /** `workflow:name`, expanded. */
  name?: string;
  /** workflow:auto_cancel, with the matched workflow rule's keys over it (only what was set). */
  autoCancel?: { onNewCommit?: string; onJobFailure?: string };
  /** Stage names in order, `.pre` first and `.post` last; only stages that have jobs. */
  stages: string[];
  jobs: JobSpec[];
  /** Warnings GitLab would show (e.g. rules:when without workflow:rules). */
  warnings: string[];
}
