import { describe, expect, it } from 'vitest';
import { compilePipelineFile } from '../index.js';
import type { CompileContext } from './context.js';

function ctx(over: Partial<CompileContext> = {}, vars: Record<string, string> = {}): CompileContext {
  return {
    ref: 'main', refType: 'branch', source: 'push', sha: 'a'.repeat(40), defaultBranch: 'main',
    variables: Object.entries({ CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_PIPELINE_SOURCE: 'push', ...vars })
      .map(([key, value]) => ({ key, value })),
    repo: { listFiles: () => ['Dockerfile'], changedFiles: () => undefined },
    ...over,
  };
}
const compile = (content: string, c: CompileContext = ctx()) => compilePipelineFile({ projectDir: '/nonexistent', content }, c);

describe('compilePipeline', () => {
  it('orders stages with .pre first and .post last, only stages with jobs', async () => {
    const r = await compile('z:\n  stage: .post\n  script: x\na:\n  stage: .pre\n  script: x\nb:\n  script: x\n');
    expect(r.pipeline?.stages).toEqual(['.pre', 'test', '.post']);
    expect(r.pipeline?.jobs.map((j) => [j.name, j.stageIndex])).toEqual([['a', 0], ['b', 1], ['z', 2]]);
  });

  it('reports a pipeline with only .pre/.post jobs as an error at the file start', async () => {
    const r = await compile('a:\n  stage: .pre\n  script: x\n');
    expect(r.valid).toBe(false);
    expect(r.pipeline).toBeUndefined();
    expect(r.errors).toEqual([expect.objectContaining({ line: 1, column: 1, message: expect.stringMatching(/^Pipeline will not run/) })]);
  });

  it('workflow:rules decide the pipeline, add variables and name it', async () => {
    const yml = 'workflow:\n  name: "build $CI_COMMIT_BRANCH $MODE"\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n'
      + '    - if: $CI_COMMIT_BRANCH\n      variables: { MODE: fast }\nvariables: { MODE: slow, KEEP: k }\na:\n  script: x\n';
    const r = await compile(yml);
    expect(r.pipeline?.name).toBe('build main fast');
    expect(r.pipeline?.jobs[0]?.variables.map((v) => `${v.key}=${v.value}`)).toEqual(['KEEP=k', 'MODE=fast']);
    const tag = await compile(yml, ctx({ ref: 'v1', refType: 'tag' }, { CI_COMMIT_TAG: 'v1' }));
    expect(tag.pipeline).toBeUndefined();
    expect(tag.valid).toBe(false);
    expect(tag.errors).toEqual([{ file: '.gitlab-ci.yml', line: 1, column: 1, path: ['workflow'], message: 'Pipeline filtered out by workflow rules.' }]);
    const later = await compile(`a:\n  script: x\n${yml.replace(/\na:\n  script: x\n$/, '\n')}`, ctx({ ref: 'v1', refType: 'tag' }, { CI_COMMIT_TAG: 'v1' }));
    expect(later.errors.map((e) => [e.line, e.message])).toEqual([[3, 'Pipeline filtered out by workflow rules.']]);
  });

  it('keeps the YAML text of each variable its expansion changed, for the expansion at pickup', async () => {
    const r = await compile('variables:\n  TAG: latest\n  RAW: { value: "$TAG", expand: false }\na:\n  variables:\n    IMAGE: "img:$TAG"\n    LATER: "$FROM_DOTENV/x"\n    PLAIN: p\n  script: x\n');
    const byKey = Object.fromEntries((r.pipeline?.jobs[0]?.variables ?? []).map((v) => [v.key, v]));
    expect(byKey.IMAGE).toMatchObject({ value: 'img:latest', yamlValue: 'img:$TAG' });
    // Unknown references stay as written: nothing changed, nothing to keep.
    expect(byKey.LATER).toEqual(expect.not.objectContaining({ yamlValue: expect.anything() }));
    expect(byKey.LATER?.value).toBe('$FROM_DOTENV/x');
    expect(byKey.PLAIN).toEqual(expect.not.objectContaining({ yamlValue: expect.anything() }));
    expect(byKey.RAW).toMatchObject({ value: '$TAG', raw: true });
    expect(byKey.RAW).toEqual(expect.not.objectContaining({ yamlValue: expect.anything() }));
  });

  it('workflow:auto_cancel, each key overridden by the matched workflow rule\'s auto_cancel', async () => {
    const yml = 'workflow:\n  auto_cancel:\n    on_new_commit: interruptible\n    on_job_failure: none\n  rules:\n'
      + '    - if: $CI_COMMIT_BRANCH == "main"\n      auto_cancel:\n        on_job_failure: all\n    - when: always\na:\n  script: x\n';
    expect((await compile(yml)).pipeline?.autoCancel).toEqual({ onNewCommit: 'interruptible', onJobFailure: 'all' });
    const other = await compile(yml, ctx({ ref: 'dev' }, { CI_COMMIT_BRANCH: 'dev', CI_COMMIT_REF_NAME: 'dev' }));
    expect(other.pipeline?.autoCancel).toEqual({ onNewCommit: 'interruptible', onJobFailure: 'none' });
    expect((await compile('a:\n  script: x\n')).pipeline?.autoCancel).toBeUndefined();
    const bad = await compile('workflow:\n  rules:\n    - auto_cancel:\n        on_job_failure: some\na:\n  script: x\n');
    expect(bad.valid).toBe(false);
    expect(bad.errors.map((e) => [e.line, e.message])).toEqual([[4, expect.stringContaining('should be one of: none, all')]]);
  });

  it('rules: first match, when/allow_failure/variables overrides, never removes the job', async () => {
    const r = await compile([
      'a:', '  script: x', '  variables: { V: job }', '  rules:',
      '    - if: $CI_COMMIT_BRANCH == "dev"', '      when: never',
      '    - if: $CI_COMMIT_BRANCH == "main"', '      when: manual', '      variables: { V: rule }',
      'b:', '  script: x', '  rules:', '    - if: $NOPE',
      'c:', '  script: x', '  rules:', '    - when: delayed', '      start_in: 5 minutes', '      allow_failure: true',
      'd:', '  script: x', '  when: manual',
    ].join('\n'));
    const jobs = Object.fromEntries(r.pipeline!.jobs.map((j) => [j.name, j]));
    expect(Object.keys(jobs)).toEqual(['a', 'c', 'd']);
    expect(jobs.a).toMatchObject({ when: 'manual', allowFailure: false });
    expect(jobs.a?.variables.filter((v) => v.key === 'V').at(-1)?.value).toBe('rule');
    expect(jobs.c).toMatchObject({ when: 'delayed', startIn: '5 minutes', allowFailure: true });
    expect(jobs.d).toMatchObject({ when: 'manual', allowFailure: true });
  });

  it('only/except with the implicit only: [branches, tags]', async () => {
    const yml = 'a:\n  script: x\nb:\n  script: x\n  only: [tags]\nc:\n  script: x\n  except: [main]\n';
    expect((await compile(yml)).pipeline?.jobs.map((j) => j.name)).toEqual(['a']);
    const mr = await compile(yml, ctx({ source: 'merge_request_event' }, { CI_PIPELINE_SOURCE: 'merge_request_event' }));
    expect(mr.pipeline).toBeUndefined();
  });

  it('parallel and matrix instances with CI_NODE_* and matrix variables', async () => {
    const r = await compile('a:\n  script: x\n  parallel: 2\nb:\n  script: x\n  parallel:\n    matrix:\n      - OS: [linux, mac]\n        ARCH: amd64\n');
    expect(r.pipeline?.jobs.map((j) => j.name)).toEqual(['a 1/2', 'a 2/2', 'b: [linux, amd64]', 'b: [mac, amd64]']);
    const b = r.pipeline!.jobs[3]!;
    expect(b.parallel).toEqual({ index: 2, total: 2 });
    expect(b.variables.map((v) => `${v.key}=${v.value}`)).toEqual(['CI_NODE_INDEX=2', 'CI_NODE_TOTAL=2', 'OS=mac', 'ARCH=amd64']);
  });

  it('needs and dependencies', async () => {
    const r = await compile([
      'stages: [build, test, deploy]',
      'build:', '  stage: build', '  script: x', '  parallel: 2',
      'lint:', '  stage: build', '  script: x',
      'test:', '  stage: test', '  script: x', '  needs: [build, { job: lint, artifacts: false }]',
      'deploy:', '  stage: deploy', '  script: x',
      'pick:', '  stage: deploy', '  script: x', '  dependencies: [lint]',
      'none:', '  stage: deploy', '  script: x', '  needs: []',
    ].join('\n'));
    const jobs = Object.fromEntries(r.pipeline!.jobs.map((j) => [j.name, j]));
    expect(jobs.test?.needs?.map((n) => n.job)).toEqual(['build 1/2', 'build 2/2', 'lint']);
    expect(jobs.test?.dependencies).toEqual(['build 1/2', 'build 2/2']);
    expect(jobs.deploy?.needs).toBeNull();
    expect(jobs.deploy?.dependencies).toEqual(['build 1/2', 'build 2/2', 'lint', 'test']);
    expect(jobs.pick?.dependencies).toEqual(['lint']);
    expect(jobs.none?.needs).toEqual([]);
    expect(jobs.none?.dependencies).toEqual([]);
  });

  it('a need on a job removed by rules is an error, an optional one is dropped', async () => {
    const base = 'a:\n  script: x\n  rules:\n    - if: $NOPE\nb:\n  script: x\n  needs: [a]\n';
    const r = await compile(base);
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.message).toMatch(/^'b' job needs 'a' job/);
    const ok = await compile(base.replace('needs: [a]', 'needs: [{ job: a, optional: true }]'));
    expect(ok.pipeline?.jobs[0]?.needs).toEqual([]);
  });

  it('resolves variables and expands environment, tags and resource_group', async () => {
    const r = await compile([
      'variables: { BASE: "reg/app", RAW: { value: "$BASE", expand: false } }',
      'a:', '  script: x', '  variables: { IMAGE: "$BASE:$CI_COMMIT_SHA", ENVN: review }',
      '  environment: { name: "$ENVN/$CI_COMMIT_REF_NAME", url: "https://$ENVN.example" }',
      '  tags: ["$ENVN-runner"]', '  resource_group: "rg-$ENVN"', '  timeout: 1h 30m',
      '  retry: { max: 2, when: script_failure, exit_codes: 137 }', '  allow_failure: { exit_codes: [1, 2] }',
    ].join('\n'));
    const job = r.pipeline!.jobs[0]!;
    const vars = Object.fromEntries(job.variables.map((v) => [v.key, v]));
    expect(vars.IMAGE?.value).toBe('reg/app:$CI_COMMIT_SHA');
    expect(vars.RAW).toMatchObject({ value: '$BASE', raw: true });
    expect(job.environment).toMatchObject({ name: 'review/main', url: 'https://review.example', action: 'start' });
    expect(job.tags).toEqual(['review-runner']);
    expect(job.resourceGroup).toBe('rg-review');
    expect(job.timeoutSeconds).toBe(5400);
    expect(job.retry).toEqual({ max: 2, when: ['script_failure'], exitCodes: [137] });
    expect(job.allowFailure).toEqual({ exitCodes: [1, 2] });
  });

  it('expands YAML variables with the context variables, keeping unknown, file and raw references', async () => {
    const c = ctx({}, { CI_PROJECT_PATH: 'grp/proj', MODE: 'from-pipeline' });
    c.variables.push({ key: 'KUBECONFIG', value: '/tmp/kube', file: true }, { key: 'LITERAL', value: '$HOME', raw: true });
    const r = await compile([
      'variables: { MODE: yaml }',
      'a:', '  script: x', '  variables:',
      '    MOUNT_POINT: /builds/$CI_PROJECT_PATH/mnt', '    CFG: $KUBECONFIG', '    LIT: $LITERAL',
      '    LATER: $CI_BUILDS_DIR/x', '    USE: m-$MODE', '    NAME: $CI_JOB_NAME@$CI_JOB_STAGE',
      '    KEEP: { value: $CI_PROJECT_PATH, expand: false }',
    ].join('\n'), c);
    const job = r.pipeline!.jobs[0]!;
    expect(job.variables.map((v) => `${v.key}=${v.value}`)).toEqual([
      'MODE=yaml', 'MOUNT_POINT=/builds/grp/proj/mnt', 'CFG=$KUBECONFIG', 'LIT=$LITERAL', 'LATER=$CI_BUILDS_DIR/x',
      'USE=m-from-pipeline', 'NAME=a@test', 'KEEP=$CI_PROJECT_PATH',
    ]);
  });

  it('is deterministic', async () => {
    const yml = 'b:\n  script: x\na:\n  stage: build\n  script: x\nc:\n  script: x\n';
    const [r1, r2] = [await compile(yml), await compile(yml)];
    expect(r1.pipeline).toEqual(r2.pipeline);
    expect(r1.pipeline?.jobs.map((j) => j.name)).toEqual(['a', 'b', 'c']);
  });
});
