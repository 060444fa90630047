import { describe, expect, it } from 'vitest';
import { compilePipelineFile, toCiLintResponse } from '../pipeline/index.js';
import type { CompileContext } from '../pipeline/index.js';
import { parseVars, renderHuman } from './lint-command.js';

const ctx: CompileContext = {
  ref: 'main', refType: 'branch', source: 'push', sha: 'a'.repeat(40), defaultBranch: 'main',
  variables: [{ key: 'CI_COMMIT_BRANCH', value: 'main' }], repo: { listFiles: () => [], changedFiles: () => undefined },
};
const compile = (content: string) => compilePipelineFile({ projectDir: '/nonexistent', content }, ctx);

describe('drydock lint', () => {
  it('parses --var flags and rejects ones without =', () => {
    expect(parseVars(['A=1', 'B=x=y', 'C='])).toEqual([{ key: 'A', value: '1' }, { key: 'B', value: 'x=y' }, { key: 'C', value: '' }]);
    expect(() => parseVars(['A'])).toThrow(/expected KEY=VALUE/);
  });

  it('renders errors as file:line:col', async () => {
    const out = renderHuman(await compile('a:\n  script: x\n  when: later\n'), '.gitlab-ci.yml', 'main');
    expect(out).toBe('.gitlab-ci.yml:3:3: jobs:a when should be one of: on_success, on_failure, always, manual, delayed\n'
      + '.gitlab-ci.yml: 1 error\n');
  });

  it('renders stages and jobs with when/needs/allow_failure', async () => {
    const out = renderHuman(await compile('a:\n  stage: build\n  script: x\nb:\n  script: x\n  when: manual\n  needs: [a]\n'), 'ci.yml', 'main');
    expect(out).toBe('ci.yml is valid: 2 stages, 2 jobs for ref main\nstage build\n  a  on_success\nstage test\n  b  manual  needs: a  allow_failure\n');
  });

  it('produces the CI Lint API response', async () => {
    const res = toCiLintResponse(await compile('a:\n  script: x\n  parallel: 2\n'));
    expect(res).toMatchObject({ valid: true, errors: [], warnings: [], includes: [] });
    expect(res.merged_yaml).toContain('script: x');
    expect(res.jobs).toEqual([1, 2].map((i) => ({
      name: `a ${i}/2`, stage: 'test', before_script: [], script: ['x'], after_script: [], tag_list: [], environment: null,
      when: 'on_success', allow_failure: false, only: { refs: ['branches', 'tags'] }, except: null, needs: null,
    })));
    const bad = toCiLintResponse(await compile('.a:\n  script: x\n'));
    expect(bad).toMatchObject({ valid: false, errors: ['jobs config should contain at least one visible job'], jobs: [] });
  });
});
