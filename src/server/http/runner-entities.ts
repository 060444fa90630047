// GitLab's REST JSON for runners (API::Entities::Ci::Runner and RunnerDetails).
import { isOnline, restRunnerStatus } from '../services/runner-directory.js';
import type { ProjectRecord, RunnerRecord } from '../store/store.js';

function infoText(r: RunnerRecord, key: string): string | null {
  const v = r.info[key];
  return typeof v === 'string' ? v : null;
}

/** The list entity; `executing`: the runner has a running/canceling job (job_execution_status). */
export function runnerEntity(r: RunnerRecord, now: number, executing: boolean) {
  return {
    id: r.id, description: r.description, ip_address: null, active: !r.paused, paused: r.paused,
    is_shared: r.runnerType === 'instance_type', runner_type: r.runnerType, name: infoText(r, 'name'),
    online: isOnline(r, now), created_at: r.createdAt, status: restRunnerStatus(r, now),
    job_execution_status: executing ? 'active' : 'idle',
  };
}

export function basicProjectEntity(p: ProjectRecord) {
  const namespaceName = p.namespacePath.split('/').pop() ?? p.namespacePath;
  return {
    id: p.id, description: p.description, name: p.name, name_with_namespace: `${namespaceName} / ${p.name}`, path: p.path,
    path_with_namespace: p.fullPath, created_at: p.createdAt,
  };
}

/** GET/PUT /runners/:id: the list entity plus settings, the runner's own report and its projects. */
export function runnerDetailsEntity(r: RunnerRecord, now: number, executing: boolean, projects: readonly ProjectRecord[]) {
  return {
    ...runnerEntity(r, now, executing),
    tag_list: [...r.tags], run_untagged: r.runUntagged, locked: r.locked, maximum_timeout: r.maximumTimeout,
    access_level: r.accessLevel, version: infoText(r, 'version'), revision: infoText(r, 'revision'),
    platform: infoText(r, 'platform'), architecture: infoText(r, 'architecture'), contacted_at: r.contactedAt,
    maintenance_note: null, projects: projects.map(basicProjectEntity), groups: [],
  };
}
