import { describe, expect, it } from 'vitest';
import { compositeStatus } from './job-status.js';
import { processPipeline, type ProcessableJob } from './process-pipeline.js';

let nextId = 1;
function job(name: string, stageIndex: number, over: Partial<ProcessableJob> = {}): ProcessableJob {
  return { id: nextId++, name, stageIndex, status: 'created', when: 'on_success', allowFailure: false, needs: null, ...over };
}
function statuses(jobs: ProcessableJob[]): Record<string, string> {
  const { changes } = processPipeline(jobs);
  const out: Record<string, string> = {};
  for (const j of jobs) out[j.name] = changes.find((c) => c.id === j.id)?.status ?? j.status;
  return out;
}

describe('compositeStatus', () => {
  it('follows GitLab rules', () => {
    expect(compositeStatus([])).toBeUndefined();
    expect(compositeStatus([{ status: 'success', allowFailure: false }, { status: 'skipped', allowFailure: false }])).toBe('success');
    expect(compositeStatus([{ status: 'failed', allowFailure: true }, { status: 'success', allowFailure: false }])).toBe('success');
    expect(compositeStatus([{ status: 'failed', allowFailure: false }, { status: 'success', allowFailure: false }])).toBe('failed');
    expect(compositeStatus([{ status: 'manual', allowFailure: true }])).toBe('skipped');
    expect(compositeStatus([{ status: 'manual', allowFailure: false }, { status: 'success', allowFailure: false }])).toBe('manual');
    expect(compositeStatus([{ status: 'pending', allowFailure: false }, { status: 'created', allowFailure: false }])).toBe('pending');
    expect(compositeStatus([{ status: 'running', allowFailure: false }, { status: 'created', allowFailure: false }])).toBe('running');
    expect(compositeStatus([{ status: 'success', allowFailure: false }, { status: 'created', allowFailure: false }])).toBe('running');
    expect(compositeStatus([{ status: 'canceled', allowFailure: false }, { status: 'success', allowFailure: false }])).toBe('canceled');
  });
});

describe('processPipeline', () => {
  it('enqueues only the first stage', () => {
    expect(statuses([job('a', 0), job('b', 1)])).toEqual({ a: 'pending', b: 'created' });
  });
  it('enqueues the next stage after success and reports running', () => {
    const jobs = [job('a', 0, { status: 'success' }), job('b', 1)];
    expect(statuses(jobs)).toEqual({ a: 'success', b: 'pending' });
    expect(processPipeline(jobs).pipelineStatus).toBe('running');
  });
  it('skips on_success jobs and runs on_failure/always jobs after a failure', () => {
    const jobs = [job('a', 0, { status: 'failed' }), job('b', 1), job('c', 1, { when: 'on_failure' }), job('d', 1, { when: 'always' })];
    expect(statuses(jobs)).toEqual({ a: 'failed', b: 'skipped', c: 'pending', d: 'pending' });
  });
  it('treats an allowed failure as success: on_failure jobs are skipped', () => {
    const jobs = [job('a', 0, { status: 'failed', allowFailure: true }), job('b', 1), job('c', 1, { when: 'on_failure' })];
    expect(statuses(jobs)).toEqual({ a: 'failed', b: 'pending', c: 'skipped' });
  });
  it('does not block on optional manual jobs but blocks on blocking ones', () => {
    expect(statuses([job('m', 0, { when: 'manual', allowFailure: true }), job('b', 1)])).toEqual({ m: 'manual', b: 'pending' });
    const blocked = [job('m', 0, { when: 'manual' }), job('b', 1)];
    expect(statuses(blocked)).toEqual({ m: 'manual', b: 'created' });
    expect(processPipeline(blocked).pipelineStatus).toBe('manual');
  });
  it('starts needs jobs as soon as their needs succeed, regardless of stage', () => {
    const jobs = [job('a', 0, { status: 'success' }), job('slow', 0, { status: 'running' }), job('b', 1, { needs: ['a'] }), job('c', 1)];
    expect(statuses(jobs)).toEqual({ a: 'success', slow: 'running', b: 'pending', c: 'created' });
  });
  it('needs: [] starts immediately; needs on a skipped job skips', () => {
    expect(statuses([job('a', 0), job('b', 1, { needs: [] })])).toEqual({ a: 'pending', b: 'pending' });
    expect(statuses([job('a', 0, { status: 'skipped' }), job('b', 1, { needs: ['a'] })])).toEqual({ a: 'skipped', b: 'skipped' });
  });
  it('chains needs within one pass and computes pipeline success', () => {
    const jobs = [job('a', 0, { status: 'success' }), job('b', 1, { status: 'success', needs: ['a'] })];
    expect(processPipeline(jobs).pipelineStatus).toBe('success');
    const chain = [job('x', 0, { status: 'failed' }), job('y', 1), job('z', 2, { needs: ['y'] })];
    expect(statuses(chain)).toEqual({ x: 'failed', y: 'skipped', z: 'skipped' });
    expect(processPipeline(chain).pipelineStatus).toBe('failed');
  });
});

describe('processPipeline: delayed jobs and resource groups', () => {
  it('schedules a delayed job once its predecessors succeeded', () => {
    const build = job('build', 0, { status: 'success' });
    const later = job('later', 1, { when: 'delayed' });
    expect(statuses([build, later])).toEqual({ build: 'success', later: 'scheduled' });
    expect(processPipeline([build, later]).pipelineStatus).toBe('scheduled');
    expect(statuses([job('b', 0, { status: 'failed' }), job('l', 1, { when: 'delayed' })])).toEqual({ b: 'failed', l: 'skipped' });
  });

  it('puts a job with a resource group into waiting_for_resource instead of pending', () => {
    const deploy = job('deploy', 0, { usesResource: true });
    expect(statuses([deploy])).toEqual({ deploy: 'waiting_for_resource' });
    expect(processPipeline([deploy]).pipelineStatus).toBe('waiting_for_resource');
  });
});

