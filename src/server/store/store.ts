// The coordinator's persistence, interface first: services depend on `Store`, never on SQL.
// Implementations: sql/ (one kysely query layer) on sqlite/ (better-sqlite3) and postgres/ (pg). Every method that resolves has committed
// its write durably, so a 2xx sent after it survives a crash.
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { JobStatus } from '../services/job-status.js';

export interface UserRecord {
  id: number;
  username: string;
  name: string;
  email: string;
  isAdmin: boolean;
  createdAt: string;
}

export interface ProjectRecord {
  id: number;
  name: string;
  path: string;
  namespacePath: string;
  /** `group/name`. */
  fullPath: string;
  description: string;
  defaultBranch: string;
  visibility: 'private' | 'internal' | 'public';
  ciConfigPath: string;
  creatorId: number | null;
  createdAt: string;
}

export interface RunnerRecord {
  id: number;
  description: string;
  tags: string[];
  runUntagged: boolean;
  locked: boolean;
  accessLevel: 'not_protected' | 'ref_protected';
  paused: boolean;
  maximumTimeout: number | null;
  runnerType: 'instance_type' | 'group_type' | 'project_type';
  /** For project runners: the only project whose jobs they take. */
  projectId: number | null;
  contactedAt: string | null;
  info: Record<string, unknown>;
  createdAt: string;
}

export type PipelineSourceName = string;

export interface PipelineRecord {
  id: number;
  projectId: number;
  iid: number;
  ref: string;
  tag: boolean;
  sha: string;
  beforeSha: string;
  source: PipelineSourceName;
  status: JobStatus;
  /** Config errors (the pipeline is then `failed` with no jobs). */
  yamlErrors: string | null;
  name: string | null;
  userId: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** workflow:auto_cancel:on_job_failure: `all` = the first failed job cancels the rest. */
  autoCancelOnJobFailure: 'none' | 'all';
  /** A child pipeline: the trigger job (bridge) of the parent pipeline that created it. */
  parentJobId: number | null;
}

export interface JobRecord {
  id: number;
  pipelineId: number;
  projectId: number;
  name: string;
  stage: string;
  stageIndex: number;
  status: JobStatus;
  spec: JobSpec;
  failureReason: string | null;
  exitCode: number | null;
  runnerId: number | null;
  /** A newer job with the same name replaced this one. */
  retried: boolean;
  userId: number | null;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Last report from the runner (assignment, trace, state); null before a runner took the job. */
  updatedAt: string | null;
  /** A delayed job (`scheduled`) becomes pending at this time. */
  scheduledAt: string | null;
}

export interface VariableRecord {
  projectId: number;
  key: string;
  value: string;
  variableType: 'env_var' | 'file';
  masked: boolean;
  protected: boolean;
  raw: boolean;
  environmentScope: string;
  description: string | null;
}

export interface ArtifactRecord {
  jobId: number;
  /** GitLab's artifact_type: archive, junit, dotenv... */
  fileType: string;
  fileFormat: string;
  filename: string;
  size: number;
  expireAt: string | null;
  createdAt: string;
}

/** GitLab's resource group: at most one job of `key` per project runs at a time. */
export type ResourceGroupProcessMode = 'unordered' | 'oldest_first' | 'newest_first' | 'newest_ready_first';

export interface ResourceGroupRecord {
  id: number;
  projectId: number;
  key: string;
  processMode: ResourceGroupProcessMode;
  createdAt: string;
  updatedAt: string;
}

/** A variable given for one pipeline (POST /projects/:id/pipeline `variables`). */
export interface PipelineVariable {
  key: string;
  value: string;
  variableType: 'env_var' | 'file';
}

export type NewProject = Omit<ProjectRecord, 'id' | 'createdAt'>;
export type NewRunner = Omit<RunnerRecord, 'id' | 'createdAt' | 'contactedAt' | 'info'>;
/** autoCancelOnJobFailure defaults to `none`. */
export type NewPipeline = Omit<PipelineRecord, 'id' | 'iid' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'autoCancelOnJobFailure' | 'parentJobId'>
  & { autoCancelOnJobFailure?: PipelineRecord['autoCancelOnJobFailure']; parentJobId?: number | null };
export type NewJob = Pick<JobRecord, 'name' | 'stage' | 'stageIndex' | 'status' | 'spec' | 'userId'>;

/** What people may change on a runner (PUT /runners/:id). */
export interface RunnerChange {
  description?: string;
  paused?: boolean;
  tags?: string[];
  runUntagged?: boolean;
  locked?: boolean;
  accessLevel?: RunnerRecord['accessLevel'];
  maximumTimeout?: number | null;
}

/** listRunners: every given field must match. */
export interface RunnerFilter {
  runnerType?: RunnerRecord['runnerType'];
  /** Runners the project's jobs may use: instance runners and the project's own. */
  usableByProjectId?: number;
  paused?: boolean;
}

/** One variable of a job's artifacts:reports:dotenv. */
export interface DotenvVariable {
  key: string;
  value: string;
}

export interface JobChange {
  status?: JobStatus;
  failureReason?: string | null;
  exitCode?: number | null;
  runnerId?: number | null;
  retried?: boolean;
  queuedAt?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  scheduledAt?: string | null;
}

export interface PipelineChange {
  status?: JobStatus;
  startedAt?: string | null;
  finishedAt?: string | null;
}

export interface Store {
  // users and personal access tokens (only SHA-256 digests of tokens are stored)
  createUser(user: Omit<UserRecord, 'id' | 'createdAt'>): Promise<UserRecord>;
  countUsers(): Promise<number>;
  addPersonalAccessToken(userId: number, name: string, tokenDigest: string, scopes: string[]): Promise<void>;
  userByTokenDigest(digest: string): Promise<UserRecord | undefined>;
  userById(id: number): Promise<UserRecord | undefined>;

  // instance settings (e.g. the runner registration token digest)
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  createProject(project: NewProject): Promise<ProjectRecord>;
  projectById(id: number): Promise<ProjectRecord | undefined>;
  projectByPath(fullPath: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;

  createRunner(runner: NewRunner, tokenDigest: string): Promise<RunnerRecord>;
  runnerByTokenDigest(digest: string): Promise<RunnerRecord | undefined>;
  runnerById(id: number): Promise<RunnerRecord | undefined>;
  deleteRunner(id: number): Promise<void>;
  setRunnerTokenDigest(id: number, digest: string): Promise<void>;
  touchRunner(id: number, info: Record<string, unknown> | undefined, at: string): Promise<void>;
  /** Runners matching `filter` (all without one), by id. */
  listRunners(filter?: RunnerFilter): Promise<RunnerRecord[]>;
  /** Applies `change`; returns the runner as stored after it, undefined when it does not exist. */
  updateRunner(id: number, change: RunnerChange): Promise<RunnerRecord | undefined>;

  /** Creates the pipeline (next iid of its project), its jobs and its variables in one transaction. */
  createPipeline(pipeline: NewPipeline, jobs: NewJob[], variables?: readonly PipelineVariable[]): Promise<PipelineRecord>;
  pipelineVariables(pipelineId: number): Promise<PipelineVariable[]>;
  pipelineById(id: number): Promise<PipelineRecord | undefined>;
  /** The child pipeline a trigger job created, if any (the newest). */
  childPipelineOf(jobId: number): Promise<PipelineRecord | undefined>;
  listPipelines(projectId: number): Promise<PipelineRecord[]>;
  updatePipeline(id: number, change: PipelineChange): Promise<void>;

  jobById(id: number): Promise<JobRecord | undefined>;
  jobsOfPipeline(pipelineId: number): Promise<JobRecord[]>;
  /** Pending jobs, oldest first (by queue time, then id). */
  pendingJobs(): Promise<JobRecord[]>;
  /** Jobs (of every project, retried ones included) whose status is one of `statuses`, by id. */
  jobsWithStatus(statuses: readonly JobStatus[]): Promise<JobRecord[]>;
  updateJob(id: number, change: JobChange): Promise<void>;
  /** Several job changes in one transaction (e.g. a stage becoming pending). */
  updateJobs(changes: ReadonlyArray<{ id: number; change: JobChange }>): Promise<void>;
  /**
   * Atomically moves a pending job to running for `runnerId` and records its token digest;
   * false when another runner took it first.
   */
  assignJob(id: number, runnerId: number, tokenDigest: string, at: string): Promise<boolean>;
  jobByTokenDigest(digest: string): Promise<JobRecord | undefined>;
  /** Jobs a runner is executing (running or canceling). */
  executingJobs(): Promise<JobRecord[]>;
  /** Records that the runner reported on the job. */
  touchJob(id: number, at: string): Promise<void>;
  /** Adds a copy of `job` (status created) to its pipeline and marks the old one retried. */
  cloneJobForRetry(job: JobRecord, userId: number | null): Promise<JobRecord>;

  /**
   * Appends at `offset`; returns the new size, or the current size when `offset` is not the end.
   * `touchedAt`: also records the runner's report time (as touchJob) in the same commit.
   */
  appendTrace(jobId: number, offset: number, data: Uint8Array, touchedAt?: string): Promise<{ ok: boolean; size: number }>;
  traceSize(jobId: number): Promise<number>;
  /** The trace from byte `fromOffset` (default 0) to its end. */
  readTrace(jobId: number, fromOffset?: number): Promise<Buffer>;

  /**
   * Records an uploaded artifact (its file is already durable on disk); replaces one of the same type.
   * `dotenv`: the variables parsed from a dotenv report, replacing the job's earlier ones in the same commit.
   */
  putArtifact(artifact: Omit<ArtifactRecord, 'createdAt'>, dotenv?: readonly DotenvVariable[]): Promise<void>;
  artifactsOfJob(jobId: number): Promise<ArtifactRecord[]>;
  /** The dotenv report variables of a job, in file order. */
  dotenvVariables(jobId: number): Promise<DotenvVariable[]>;

  listVariables(projectId: number): Promise<VariableRecord[]>;
  getVariable(projectId: number, key: string): Promise<VariableRecord | undefined>;
  putVariable(variable: VariableRecord): Promise<void>;
  deleteVariable(projectId: number, key: string): Promise<boolean>;

  /** The group `key` of the project, created (process mode unordered) when it does not exist yet. */
  ensureResourceGroup(projectId: number, key: string): Promise<ResourceGroupRecord>;
  resourceGroup(projectId: number, key: string): Promise<ResourceGroupRecord | undefined>;
  resourceGroups(projectId: number): Promise<ResourceGroupRecord[]>;
  /** Sets the process mode; undefined when the group does not exist. */
  updateResourceGroup(projectId: number, key: string, processMode: ResourceGroupProcessMode): Promise<ResourceGroupRecord | undefined>;

  close(): Promise<void>;
}
