import { describe, it, expect } from 'vitest';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import { closeNames, selectJobs } from './job-selection.js';

const job = (name: string, extra: Partial<JobSpec> = {}): JobSpec => ({ name, needs: null, dependencies: [], ...extra }) as JobSpec;
const need = (n: string) => ({ job: n, artifacts: true, optional: false });

describe('selectJobs', () => {
  const all = [
    job('build'), job('lint'), job('test', { needs: [need('build')] }),
    job('deploy', { needs: [need('test')], dependencies: ['build'] }), job('docs', { dependencies: ['lint'] }),
  ];

  it('runs everything without names', () => {
    const s = selectJobs(all, [], { withNeeds: true });
    expect(s.ok && s.jobs.map((j) => j.name)).toEqual(['build', 'lint', 'test', 'deploy', 'docs']);
  });

  it('brings needs and dependencies transitively, in pipeline order', () => {
    const s = selectJobs(all, ['deploy'], { withNeeds: true });
    expect(s.ok && s.jobs.map((j) => j.name)).toEqual(['build', 'test', 'deploy']);
    const d = selectJobs(all, ['docs'], { withNeeds: true });
    expect(d.ok && d.jobs.map((j) => j.name)).toEqual(['lint', 'docs']);
  });

  it('runs only the named jobs with --no-needs', () => {
    const s = selectJobs(all, ['deploy'], { withNeeds: false });
    expect(s.ok && s.jobs.map((j) => j.name)).toEqual(['deploy']);
  });

  it('names unknown jobs and suggests close ones', () => {
    const s = selectJobs(all, ['buidl', 'zzzzzz'], { withNeeds: true });
    expect(s.ok).toBe(false);
    if (!s.ok) {
      expect(s.message).toContain('no job named "buidl" in the pipeline; did you mean "build"?');
      expect(s.message).toContain('no job named "zzzzzz" in the pipeline\n');
      expect(s.message).toContain('jobs in this pipeline: build, lint, test, deploy, docs');
    }
  });
});

describe('closeNames', () => {
  it('matches typos, case and substrings', () => {
    expect(closeNames('Test', ['test', 'tests', 'deploy'])).toEqual(['test', 'tests']);
    expect(closeNames('unit', ['unit-tests', 'lint'])).toEqual(['unit-tests']);
  });
});
