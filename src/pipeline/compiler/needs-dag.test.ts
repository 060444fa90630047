import { describe, it, expect } from 'vitest';
import { expandJobNames, resolveNeeds, topologicalOrder, type DagJobInput } from './needs-dag.js';

const job = (name: string, stageIndex: number, needs: DagJobInput['needs'], extra: Partial<DagJobInput> = {}): DagJobInput => ({
  name, stageIndex, needs, ...extra,
});
const need = (jobName: string, artifacts = true, optional = false) => ({ job: jobName, artifacts, optional });

describe('resolveNeeds', () => {
  it('keeps needs to earlier and same-stage jobs with defaults', () => {
    const r = resolveNeeds([job('a', 0, null), job('b', 1, [{ job: 'a' }]), job('c', 1, [{ job: 'b', artifacts: false }])]);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('a')).toBeNull();
    expect(r.resolved.get('b')).toEqual([need('a')]);
    expect(r.resolved.get('c')).toEqual([need('b', false)]);
  });
  it('keeps needs: [] as an empty list', () => {
    expect(resolveNeeds([job('a', 2, [])]).resolved.get('a')).toEqual([]);
  });
  it('reports an undefined need', () => {
    expect(resolveNeeds([job('b', 1, [{ job: 'nope' }])]).errors).toEqual(['b job: undefined need: nope']);
  });
  it('drops an optional need to an undefined job', () => {
    const r = resolveNeeds([job('b', 1, [{ job: 'nope', optional: true }])]);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('b')).toEqual([]);
  });
  it('reports a need in a later stage', () => {
    expect(resolveNeeds([job('a', 0, [{ job: 'b' }]), job('b', 1, null)]).errors).toEqual([
      'a job: need b is not defined in current or prior stages',
    ]);
  });
  it('reports duplicated needs once per job', () => {
    expect(resolveNeeds([job('a', 0, null), job('b', 1, [{ job: 'a' }, { job: 'a', artifacts: false }])]).errors).toEqual([
      'b has the following needs duplicated: a.',
    ]);
  });
  it('expands a need on a parallel job to all instances', () => {
    const r = resolveNeeds([
      job('build 1/2', 0, null, { parallelGroup: 'build' }),
      job('build 2/2', 0, null, { parallelGroup: 'build' }),
      job('test', 1, [{ job: 'build' }]),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('test')).toEqual([need('build 1/2'), need('build 2/2')]);
  });
  it('allows needing one instance by its full name', () => {
    const r = resolveNeeds([job('build 1/2', 0, null, { parallelGroup: 'build' }), job('t', 1, [{ job: 'build 1/2' }])]);
    expect(r.resolved.get('t')).toEqual([need('build 1/2')]);
  });
  it('selects matrix instances with needs:parallel:matrix', () => {
    const r = resolveNeeds([
      job('build: [amd64, alpine]', 0, null, { parallelGroup: 'build' }),
      job('build: [arm64, alpine]', 0, null, { parallelGroup: 'build' }),
      job('test', 1, [{ job: 'build', parallel: { matrix: [{ ARCH: 'arm64', OS: 'alpine' }] } }]),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('test')).toEqual([need('build: [arm64, alpine]')]);
  });
  it('reports a matrix need naming no instance', () => {
    const r = resolveNeeds([
      job('build: [amd64]', 0, null, { parallelGroup: 'build' }),
      job('test', 1, [{ job: 'build', parallel: { matrix: [{ ARCH: 'riscv' }] } }]),
    ]);
    expect(r.errors).toEqual(['test job: undefined need: build: [riscv]']);
  });
  it('reports duplicates created by parallel expansion', () => {
    const r = resolveNeeds([
      job('b 1/2', 0, null, { parallelGroup: 'b' }),
      job('b 2/2', 0, null, { parallelGroup: 'b' }),
      job('t', 1, [{ job: 'b' }, { job: 'b 1/2' }]),
    ]);
    expect(r.errors).toEqual(['t has the following needs duplicated: b 1/2.']);
  });
  it('detects a cycle through three jobs', () => {
    const r = resolveNeeds([job('a', 0, [{ job: 'c' }]), job('b', 0, [{ job: 'a' }]), job('c', 0, [{ job: 'b' }])]);
    expect(r.errors).toEqual(['The pipeline has circular dependencies']);
  });
  it('detects a job needing itself', () => {
    expect(resolveNeeds([job('a', 0, [{ job: 'a' }])]).errors).toEqual(['The pipeline has circular dependencies']);
  });
  it('reports a non-optional need on a job removed by rules', () => {
    const r = resolveNeeds([job('a', 0, null, { created: false }), job('b', 1, [{ job: 'a' }])]);
    expect(r.resolved.has('a')).toBe(false);
    expect(r.errors).toEqual([
      "'b' job needs 'a' job, but 'a' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.",
    ]);
  });
  it('drops an optional need on a job removed by rules', () => {
    const r = resolveNeeds([job('a', 0, null, { created: false }), job('b', 1, [{ job: 'a', optional: true }])]);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('b')).toEqual([]);
  });
  it('rejects needed names over 255 characters', () => {
    const long = 'x'.repeat(256);
    expect(resolveNeeds([job(long, 0, null), job('b', 0, [{ job: long }])]).errors).toEqual([
      `b job: need \`${long}\` name is too long (maximum is 255 characters)`,
    ]);
  });
  it('resolves 2,000 jobs with a chain of needs', () => {
    const jobs = Array.from({ length: 2000 }, (_, i) => job(`j${i}`, 0, i === 0 ? null : [{ job: `j${i - 1}` }]));
    const r = resolveNeeds(jobs);
    expect(r.errors).toEqual([]);
    expect(r.resolved.get('j1999')).toEqual([need('j1998')]);
  });
});

describe('expandJobNames', () => {
  it('replaces a parallel job by its instances', () => {
    expect(expandJobNames(['build', 'lint'], [{ name: 'build 1/2', parallelGroup: 'build' }, { name: 'build 2/2', parallelGroup: 'build' }, { name: 'lint' }])).toEqual(['build 1/2', 'build 2/2', 'lint']);
  });
});

describe('topologicalOrder', () => {
  const pos = (order: string[], name: string): number => order.indexOf(name);
  it('orders stage-ordered jobs after every earlier-stage job', () => {
    const { order, cycle } = topologicalOrder([
      { name: 'deploy', stageIndex: 2, needs: null },
      { name: 'test', stageIndex: 1, needs: null },
      { name: 'build1', stageIndex: 0, needs: null },
      { name: 'build2', stageIndex: 0, needs: null },
    ]);
    expect(cycle).toBeUndefined();
    expect(order).toHaveLength(4);
    expect(pos(order, 'build1')).toBeLessThan(pos(order, 'test'));
    expect(pos(order, 'build2')).toBeLessThan(pos(order, 'test'));
    expect(pos(order, 'test')).toBeLessThan(pos(order, 'deploy'));
  });
  it('lets needs jump ahead of stages', () => {
    const { order } = topologicalOrder([
      { name: 'build', stageIndex: 0, needs: null },
      { name: 'slow', stageIndex: 0, needs: null },
      { name: 'deploy', stageIndex: 2, needs: [{ job: 'build' }] },
    ]);
    expect(pos(order, 'build')).toBeLessThan(pos(order, 'deploy'));
    expect(order).toEqual(['build', 'slow', 'deploy']);
  });
  it('keeps same-stage jobs in input order', () => {
    expect(topologicalOrder([
      { name: 'a', stageIndex: 0, needs: null },
      { name: 'b', stageIndex: 0, needs: null },
      { name: 'c', stageIndex: 0, needs: null },
    ]).order).toEqual(['a', 'b', 'c']);
  });
  it('names the jobs of a cycle', () => {
    const r = topologicalOrder([
      { name: 'a', stageIndex: 0, needs: [{ job: 'c' }] },
      { name: 'b', stageIndex: 0, needs: [{ job: 'a' }] },
      { name: 'c', stageIndex: 0, needs: [{ job: 'b' }] },
    ]);
    expect(new Set(r.cycle)).toEqual(new Set(['a', 'b', 'c']));
  });
  it('finds a cycle that goes through stage order', () => {
    const r = topologicalOrder([
      { name: 'early', stageIndex: 0, needs: [{ job: 'late' }] },
      { name: 'late', stageIndex: 1, needs: null },
    ]);
    expect(r.cycle).toEqual(['early', 'late']);
  });
  it('orders a 2,000-job pipeline with mixed stages and needs', () => {
    const jobs = Array.from({ length: 2000 }, (_, i) => ({
      name: `j${i}`,
      stageIndex: i % 10,
      needs: i % 3 === 0 && i >= 10 ? [{ job: `j${i - 10}` }] : null,
    }));
    const { order, cycle } = topologicalOrder(jobs);
    expect(cycle).toBeUndefined();
    expect(order).toHaveLength(2000);
    const at = new Map(order.map((n, i) => [n, i]));
    const lastOfStage = new Array<number>(10).fill(-1);
    for (const j of jobs) lastOfStage[j.stageIndex] = Math.max(lastOfStage[j.stageIndex]!, at.get(j.name)!);
    let violations = 0;
    for (const j of jobs) {
      const mine = at.get(j.name)!;
      if (j.needs) violations += j.needs.filter((n) => at.get(n.job)! > mine).length;
      else violations += lastOfStage.slice(0, j.stageIndex).filter((p) => p > mine).length;
    }
    expect(violations).toBe(0);
  });
});
