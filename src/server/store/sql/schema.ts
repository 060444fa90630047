// Row types of the SQLite database as kysely sees them. Booleans are 0/1, lists and objects JSON text.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  is_admin: number;
  created_at: string;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_digest: string;
  scopes: string;
  revoked: number;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  path: string;
  namespace_path: string;
  full_path: string;
  description: string;
  default_branch: string;
  visibility: string;
  ci_config_path: string;
  creator_id: number | null;
  pipeline_iid: number;
  created_at: string;
}

export interface RunnersTable {
  id: Generated<number>;
  token_digest: string;
  description: string;
  tags: string;
  run_untagged: number;
  locked: number;
  access_level: string;
  paused: number;
  maximum_timeout: number | null;
  runner_type: string;
  project_id: number | null;
  contacted_at: string | null;
  info: string;
  created_at: string;
}

export interface PipelinesTable {
  id: Generated<number>;
  project_id: number;
  iid: number;
  ref: string;
  tag: number;
  sha: string;
  before_sha: string;
  source: string;
  status: string;
  yaml_errors: string | null;
  name: string | null;
  user_id: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** 'none' | 'all' (migration 7). */
  auto_cancel_on_job_failure: Generated<string>;
  /** The bridge job that created this child pipeline (migration 8). */
  parent_job_id: number | null;
}

export interface JobsTable {
  id: Generated<number>;
  pipeline_id: number;
  project_id: number;
  name: string;
  stage: string;
  stage_index: number;
  status: string;
  spec: string;
  token_digest: string | null;
  failure_reason: string | null;
  exit_code: number | null;
  runner_id: number | null;
  retried: number;
  user_id: number | null;
  created_at: string;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string | null;
  scheduled_at: string | null;
}

export interface TraceChunksTable {
  job_id: number;
  offset: number;
  data: Buffer;
}

export interface VariablesTable {
  project_id: number;
  key: string;
  value: string;
  variable_type: string;
  masked: number;
  protected: number;
  raw: number;
  environment_scope: string;
  description: string | null;
}

export interface JobArtifactsTable {
  job_id: number;
  file_type: string;
  file_format: string;
  filename: string;
  size: number;
  expire_at: string | null;
  created_at: string;
}

export interface PipelineVariablesTable {
  pipeline_id: number;
  position: number;
  key: string;
  value: string;
  variable_type: string;
}

export interface ResourceGroupsTable {
  id: Generated<number>;
  project_id: number;
  key: string;
  process_mode: string;
  created_at: string;
  updated_at: string;
}

/** Variables a job's artifacts:reports:dotenv declared, in file order (migration 7). */
export interface JobDotenvVariablesTable {
  job_id: number;
  position: number;
  key: string;
  value: string;
}

export interface SchemaMigrationsTable {
  version: number;
  applied_at: string;
}

export interface Database {
  users: UsersTable;
  personal_access_tokens: PersonalAccessTokensTable;
  settings: SettingsTable;
  projects: ProjectsTable;
  runners: RunnersTable;
  pipelines: PipelinesTable;
  jobs: JobsTable;
  trace_chunks: TraceChunksTable;
  variables: VariablesTable;
  job_artifacts: JobArtifactsTable;
  pipeline_variables: PipelineVariablesTable;
  resource_groups: ResourceGroupsTable;
  job_dotenv_variables: JobDotenvVariablesTable;
  schema_migrations: SchemaMigrationsTable;
}
