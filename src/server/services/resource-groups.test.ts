import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { JobRecord } from '../store/store.js';
import type { JobStatus } from './job-status.js';
import { nextResourceHolder } from './resource-groups.js';

const job = (id: number, pipelineId: number, status: JobStatus): JobRecord => ({
  id, pipelineId, projectId: 1, name: 'deploy', stage: 'deploy', stageIndex: 0, status, failureReason: null, exitCode: null,
  runnerId: null, retried: false, userId: null, createdAt: '', queuedAt: null, startedAt: null, finishedAt: null, updatedAt: null,
  scheduledAt: null, spec: { resourceGroup: 'production' } as unknown as JobSpec,
});

describe('nextResourceHolder', () => {
  const jobs = [job(5, 2, 'waiting_for_resource'), job(3, 1, 'created'), job(9, 3, 'waiting_for_resource')];

  it('unordered: the oldest waiting job', () => {
    expect(nextResourceHolder('unordered', jobs)?.id).toBe(5);
    expect(nextResourceHolder('unordered', [job(3, 1, 'created')])).toBeUndefined();
  });

  it('oldest_first waits for the oldest upcoming job even when it is not waiting yet', () => {
    expect(nextResourceHolder('oldest_first', jobs)).toBeUndefined();
    expect(nextResourceHolder('oldest_first', [job(5, 2, 'waiting_for_resource'), job(9, 3, 'waiting_for_resource')])?.id).toBe(5);
  });

  it('newest_first takes the newest pipeline; newest_ready_first only among waiting jobs', () => {
    expect(nextResourceHolder('newest_first', jobs)?.id).toBe(9);
    expect(nextResourceHolder('newest_first', [...jobs, job(11, 4, 'scheduled')])).toBeUndefined();
    expect(nextResourceHolder('newest_ready_first', [...jobs, job(11, 4, 'scheduled')])?.id).toBe(9);
  });
});
