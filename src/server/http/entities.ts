// GitLab's REST JSON shapes (API::Entities::Project, Ci::PipelineBasic/Pipeline, Ci::Job, Ci::Variable, UserBasic).
import type { CommitInfo } from '../git/git-repos.js';
import { effectiveAllowFailure } from '../services/pipeline-processor.js';
import { isOnline, restRunnerStatus } from '../services/runner-directory.js';
import type { ArtifactRecord, JobRecord, PipelineRecord, ProjectRecord, RunnerRecord, UserRecord, VariableRecord } from '../store/store.js';

export function userEntity(base: string, u: UserRecord) {
  return { id: u.id, username: u.username, name: u.name, state: 'active', locked: false, avatar_url: null, web_url: `${base}/${u.username}` };
}

export function projectEntity(base: string, p: ProjectRecord) {
  const namespaceName = p.namespacePath.split('/').pop() ?? p.namespacePath;
  return {
    id: p.id, description: p.description, name: p.name, name_with_namespace: `${namespaceName} / ${p.name}`, path: p.path,
    path_with_namespace: p.fullPath, created_at: p.createdAt, default_branch: p.defaultBranch, tag_list: [], topics: [],
    ssh_url_to_repo: null, http_url_to_repo: `${base}/${p.fullPath}.git`, web_url: `${base}/${p.fullPath}`, readme_url: null,
    avatar_url: null, forks_count: 0, star_count: 0, last_activity_at: p.createdAt,
    namespace: { id: 0, name: namespaceName, path: namespaceName, kind: 'group', full_path: p.namespacePath, parent_id: null, avatar_url: null, web_url: `${base}/groups/${p.namespacePath}` },
    visibility: p.visibility, ci_config_path: p.ciConfigPath, jobs_enabled: true, shared_runners_enabled: true,
    creator_id: p.creatorId, archived: false,
  };
}

export function pipelineBasicEntity(base: string, project: ProjectRecord, p: PipelineRecord) {
  return {
    id: p.id, iid: p.iid, project_id: p.projectId, sha: p.sha, ref: p.ref, status: p.status, source: p.source,
    created_at: p.createdAt, updated_at: p.updatedAt, web_url: `${base}/${project.fullPath}/-/pipelines/${p.id}`, name: p.name,
  };
}

export function pipelineEntity(base: string, project: ProjectRecord, p: PipelineRecord, user: UserRecord | undefined) {
  return {
    ...pipelineBasicEntity(base, project, p),
    before_sha: p.beforeSha, tag: p.tag, yaml_errors: p.yamlErrors, user: user ? userEntity(base, user) : null,
    started_at: p.startedAt, finished_at: p.finishedAt, committed_at: null, duration: seconds(p.startedAt, p.finishedAt),
    queued_duration: null, coverage: null, detailed_status: detailedStatus(p.status, `/${project.fullPath}/-/pipelines/${p.id}`),
  };
}

export interface JobEntityContext {
  base: string;
  project: ProjectRecord;
  pipeline: PipelineRecord;
  commit: CommitInfo | undefined;
  user: UserRecord | undefined;
  runner: RunnerRecord | undefined;
}

export function jobEntity(c: JobEntityContext, j: JobRecord, artifacts: readonly ArtifactRecord[] = []) {
  const { base, project, pipeline, commit } = c;
  const entity: Record<string, unknown> = {
    id: j.id, status: j.status, stage: j.stage, name: j.name, ref: pipeline.ref, tag: pipeline.tag, coverage: null,
    allow_failure: effectiveAllowFailure(j) || j.spec.allowFailure === true, created_at: j.createdAt, started_at: j.startedAt,
    finished_at: j.finishedAt, erased_at: null, duration: seconds(j.startedAt, j.finishedAt),
    queued_duration: j.queuedAt ? seconds(j.queuedAt, j.startedAt ?? new Date().toISOString()) : null,
    user: c.user ? userEntity(base, c.user) : null,
    commit: {
      id: pipeline.sha, short_id: pipeline.sha.slice(0, 8), created_at: commit?.timestamp ?? null, parent_ids: [],
      title: commit?.message.split('\n')[0] ?? '', message: commit?.message ?? '', author_name: commit?.authorName ?? '',
      author_email: commit?.authorEmail ?? '', authored_date: commit?.timestamp ?? null, committer_name: commit?.authorName ?? '',
      committer_email: commit?.authorEmail ?? '', committed_date: commit?.timestamp ?? null, web_url: `${base}/${project.fullPath}/-/commit/${pipeline.sha}`,
    },
    pipeline: pipelineBasicEntity(base, project, pipeline),
    web_url: `${base}/${project.fullPath}/-/jobs/${j.id}`,
    project: { ci_job_token_scope_enabled: false },
    artifacts: artifacts.map((a) => ({ file_type: a.fileType, size: a.size, filename: a.filename, file_format: a.fileFormat })),
    artifacts_expire_at: artifacts.find((a) => a.fileType === 'archive')?.expireAt ?? null,
    tag_list: [...j.spec.tags], archived: false,
    runner: c.runner ? {
      id: c.runner.id, description: c.runner.description, ip_address: null, active: !c.runner.paused, paused: c.runner.paused,
      is_shared: c.runner.runnerType === 'instance_type', runner_type: c.runner.runnerType,
      name: typeof c.runner.info.name === 'string' ? c.runner.info.name : null, online: isOnline(c.runner, Date.now()), status: restRunnerStatus(c.runner, Date.now()),
    } : null,
    retried: j.retried,
    when: j.spec.when,
  };
  const archive = artifacts.find((a) => a.fileType === 'archive');
  if (archive) entity.artifacts_file = { filename: archive.filename, size: archive.size };
  if (j.status === 'failed') entity.failure_reason = j.failureReason ?? 'unknown_failure';
  // As GitLab's job entity: a delayed job tells when it starts.
  if (j.status === 'scheduled') entity.scheduled_at = j.scheduledAt;
  return entity;
}

export function variableEntity(v: VariableRecord) {
  return {
    variable_type: v.variableType, key: v.key, value: v.value, protected: v.protected, masked: v.masked, hidden: false, raw: v.raw,
    environment_scope: v.environmentScope, description: v.description,
  };
}

function seconds(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function detailedStatus(status: string, path: string) {
  // GitLab's words for a pipeline status (Gitlab::Ci::Status::*): text, label and icon.
  const words: Record<string, [string, string, string]> = {
    success: ['passed', 'passed', 'status_success'],
    manual: ['blocked', 'waiting for manual action', 'status_manual'],
    scheduled: ['delayed', 'waiting for delayed job', 'status_scheduled'],
    waiting_for_resource: ['waiting', 'waiting for resource', 'status_pending'],
  };
  const [text, label, icon] = words[status] ?? [status, status, `status_${status}`];
  return {
    icon, text, label, group: status, tooltip: label, has_details: true, details_path: path,
    illustration: null, favicon: `/assets/ci_favicons/favicon_status_${status}.png`,
  };
}
