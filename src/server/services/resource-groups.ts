// resource_group (server facts §2.3): at most one job of a group per project holds the resource
// (pending, running or canceling); the others wait in `waiting_for_resource`. When the resource is
// free, the group's process mode picks the next job (GitLab's upcoming_processables):
//   unordered: any waiting job (oldest id first);
//   oldest_first / newest_first: the first "upcoming" job (created, scheduled or waiting) by pipeline
//     id; when that job is not waiting yet, nothing runs until it is (GitLab behaves the same);
//   newest_ready_first: the waiting job of the newest pipeline.
import type { JobRecord, ResourceGroupProcessMode } from '../store/store.js';
import type { JobStatus } from './job-status.js';
import type { ServerContext } from './server-context.js';

const HOLDING: readonly JobStatus[] = ['preparing', 'pending', 'running', 'canceling'];
const UPCOMING: readonly JobStatus[] = ['created', 'scheduled', 'waiting_for_resource'];

/** The job that should get the free resource, if any (pure; `jobs` are the group's non-holding jobs). */
export function nextResourceHolder(mode: ResourceGroupProcessMode, jobs: readonly JobRecord[]): JobRecord | undefined {
  const waiting = jobs.filter((j) => j.status === 'waiting_for_resource');
  const byId = (a: JobRecord, b: JobRecord) => a.id - b.id;
  switch (mode) {
    case 'unordered':
      return [...waiting].sort(byId)[0];
    case 'newest_ready_first':
      return [...waiting].sort((a, b) => b.pipelineId - a.pipelineId || a.id - b.id)[0];
    case 'oldest_first':
    case 'newest_first': {
      const sign = mode === 'oldest_first' ? 1 : -1;
      const waitingFirst = (j: JobRecord) => (j.status === 'waiting_for_resource' ? 0 : 1);
      const first = jobs.filter((j) => UPCOMING.includes(j.status))
        .sort((a, b) => sign * (a.pipelineId - b.pipelineId) || waitingFirst(a) - waitingFirst(b) || a.id - b.id)[0];
      return first?.status === 'waiting_for_resource' ? first : undefined;
    }
  }
}

/**
 * Gives each free resource of `keys` in the project to its next job (→ pending).
 * Returns the pipelines whose jobs changed (the caller reprocesses them, outside this lock).
 */
export function assignResources(ctx: ServerContext, projectId: number, keys: ReadonlySet<string>): Promise<number[]> {
  if (keys.size === 0) return Promise.resolve([]);
  return ctx.locks.run(`resources:${projectId}`, async () => {
    const jobs = (await ctx.store.jobsWithStatus([...HOLDING, ...UPCOMING]))
      .filter((j) => j.projectId === projectId && !j.retried && j.spec.resourceGroup !== undefined && keys.has(j.spec.resourceGroup));
    const touched = new Set<number>();
    for (const key of keys) {
      const group = jobs.filter((j) => j.spec.resourceGroup === key);
      if (group.length === 0 || group.some((j) => HOLDING.includes(j.status))) continue;
      const { processMode } = await ctx.store.ensureResourceGroup(projectId, key);
      const next = nextResourceHolder(processMode, group);
      if (!next) continue;
      // Re-read: a cancel may have come in since the list was taken.
      if ((await ctx.store.jobById(next.id))?.status !== 'waiting_for_resource') continue;
      await ctx.store.updateJob(next.id, { status: 'pending', queuedAt: new Date().toISOString() });
      touched.add(next.pipelineId);
      ctx.log.info({ jobId: next.id, resourceGroup: key }, 'resource assigned');
    }
    if (touched.size > 0) ctx.queue.tick();
    return [...touched];
  });
}

/** Start-up: jobs left waiting by a previous run get their resources (grouped by project). */
export async function resumeWaitingForResource(ctx: ServerContext): Promise<number[]> {
  const byProject = new Map<number, Set<string>>();
  for (const j of await ctx.store.jobsWithStatus(['waiting_for_resource'])) {
    if (j.retried || j.spec.resourceGroup === undefined) continue;
    const keys = byProject.get(j.projectId) ?? new Set<string>();
    keys.add(j.spec.resourceGroup);
    byProject.set(j.projectId, keys);
  }
  const touched: number[] = [];
  for (const [projectId, keys] of byProject) touched.push(...(await assignResources(ctx, projectId, keys)));
  return touched;
}
