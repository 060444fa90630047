// SQLite rows → store records (0/1 → booleans, JSON text → values).
import type { Selectable } from 'kysely';
import type { JobSpec } from '../../../pipeline/spec/job-spec.js';
import type { JobStatus } from '../../services/job-status.js';
import type { JobRecord, PipelineRecord, ProjectRecord, ResourceGroupRecord, RunnerRecord, UserRecord, VariableRecord } from '../store.js';
import type { JobsTable, PipelinesTable, ProjectsTable, ResourceGroupsTable, RunnersTable, UsersTable, VariablesTable } from './schema.js';

export function userFromRow(r: Selectable<UsersTable>): UserRecord {
  return { id: r.id, username: r.username, name: r.name, email: r.email, isAdmin: r.is_admin === 1, createdAt: r.created_at };
}

export function projectFromRow(r: Selectable<ProjectsTable>): ProjectRecord {
  return {
    id: r.id, name: r.name, path: r.path, namespacePath: r.namespace_path, fullPath: r.full_path, description: r.description,
    defaultBranch: r.default_branch, visibility: r.visibility as ProjectRecord['visibility'], ciConfigPath: r.ci_config_path,
    creatorId: r.creator_id, createdAt: r.created_at,
  };
}

export function runnerFromRow(r: Selectable<RunnersTable>): RunnerRecord {
  return {
    id: r.id, description: r.description, tags: JSON.parse(r.tags) as string[], runUntagged: r.run_untagged === 1,
    locked: r.locked === 1, accessLevel: r.access_level as RunnerRecord['accessLevel'], paused: r.paused === 1,
    maximumTimeout: r.maximum_timeout, runnerType: r.runner_type as RunnerRecord['runnerType'], projectId: r.project_id ?? null, contactedAt: r.contacted_at,
    info: JSON.parse(r.info) as Record<string, unknown>, createdAt: r.created_at,
  };
}

export function pipelineFromRow(r: Selectable<PipelinesTable>): PipelineRecord {
  return {
    id: r.id, projectId: r.project_id, iid: r.iid, ref: r.ref, tag: r.tag === 1, sha: r.sha, beforeSha: r.before_sha,
    source: r.source, status: r.status as JobStatus, yamlErrors: r.yaml_errors, name: r.name, userId: r.user_id,
    createdAt: r.created_at, updatedAt: r.updated_at, startedAt: r.started_at, finishedAt: r.finished_at,
    autoCancelOnJobFailure: r.auto_cancel_on_job_failure === 'all' ? 'all' : 'none', parentJobId: r.parent_job_id ?? null,
  };
}

export function jobFromRow(r: Selectable<JobsTable>): JobRecord {
  return {
    id: r.id, pipelineId: r.pipeline_id, projectId: r.project_id, name: r.name, stage: r.stage, stageIndex: r.stage_index,
    status: r.status as JobStatus, spec: JSON.parse(r.spec) as JobSpec, failureReason: r.failure_reason, exitCode: r.exit_code,
    runnerId: r.runner_id, retried: r.retried === 1, userId: r.user_id, createdAt: r.created_at, queuedAt: r.queued_at,
    startedAt: r.started_at, finishedAt: r.finished_at, updatedAt: r.updated_at ?? null, scheduledAt: r.scheduled_at ?? null,
  };
}

export function variableFromRow(r: Selectable<VariablesTable>): VariableRecord {
  return {
    projectId: r.project_id, key: r.key, value: r.value, variableType: r.variable_type === 'file' ? 'file' : 'env_var',
    masked: r.masked === 1, protected: r.protected === 1, raw: r.raw === 1, environmentScope: r.environment_scope,
    description: r.description,
  };
}

export function resourceGroupFromRow(r: Selectable<ResourceGroupsTable>): ResourceGroupRecord {
  return {
    id: r.id, projectId: r.project_id, key: r.key, processMode: r.process_mode as ResourceGroupRecord['processMode'],
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export const bit = (b: boolean): number => (b ? 1 : 0);
