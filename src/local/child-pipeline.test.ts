import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import { triggerKind, triggerResult, withoutProjectTriggers } from './child-pipeline.js';

const spec = (name: string, extra: Partial<JobSpec> = {}): JobSpec => ({
  name, stage: 'test', stageIndex: 1, when: 'on_success', allowFailure: false, services: [], variables: [],
  hooks: { preGetSourcesScript: [] }, beforeScript: [], script: [], afterScript: [], needs: null, dependencies: [],
  cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [], interruptible: false, ...extra,
});
const sink = { write: () => {} };

describe('triggerKind', () => {
  it('reads every local form of trigger:include, strategy and forward', () => {
    expect(triggerKind({ include: 'a.yml' })).toEqual({ kind: 'child', includes: [{ local: 'a.yml' }], depend: false, forwardYaml: true, forwardPipeline: false });
    expect(triggerKind({ include: [{ local: 'a.yml' }, 'b.yml'], strategy: 'depend', forward: { yaml_variables: false, pipeline_variables: true } }))
      .toEqual({ kind: 'child', includes: [{ local: 'a.yml' }, { local: 'b.yml' }], depend: true, forwardYaml: false, forwardPipeline: true });
    expect(triggerKind({ include: [{ artifact: 'gen.yml', job: 'make' }] })).toMatchObject({ kind: 'child', includes: [{ artifact: 'gen.yml', job: 'make' }] });
  });

  it('tells multi-project triggers and includes that need a server apart', () => {
    expect(triggerKind({ project: 'g/p', strategy: 'depend' })).toEqual({ kind: 'project', project: 'g/p', depend: true, forwardYaml: true, forwardPipeline: false });
    expect(triggerKind({ project: 'g/p', branch: 'stable' })).toMatchObject({ kind: 'project', branch: 'stable', depend: false });
    expect(triggerKind({ include: [{ project: 'g/p', file: 'x.yml' }] })).toMatchObject({ kind: 'invalid' });
  });
});

describe('triggerResult', () => {
  const at = new Date();
  it('mirrors the child with strategy: depend, else passes once the child exists', () => {
    expect(triggerResult(spec('t'), 'failed', true, at, sink)).toMatchObject({ status: 'failed', allowedToFail: false });
    expect(triggerResult(spec('t', { allowFailure: true }), 'failed', true, at, sink)).toMatchObject({ status: 'failed', allowedToFail: true });
    expect(triggerResult(spec('t'), 'canceled', true, at, sink).status).toBe('canceled');
    expect(triggerResult(spec('t'), 'success', true, at, sink).status).toBe('success');
    expect(triggerResult(spec('t'), undefined, false, at, sink).status).toBe('success');
  });
});

describe('withoutProjectTriggers', () => {
  it('leaves out trigger:project jobs with a notice, keeps child triggers and plain jobs', () => {
    const notices: string[] = [];
    const kept = withoutProjectTriggers([spec('a'), spec('b', { trigger: { project: 'g/p' } }), spec('c', { trigger: { include: 'x.yml' } })], (t) => notices.push(t));
    expect(kept.map((j) => j.name)).toEqual(['a', 'c']);
    expect(notices).toEqual(['b: trigger:project g/p starts a pipeline in another project, which needs a GitLab server; skipped']);
  });
});
