import { describe, expect, it } from 'vitest';
import { loadConfig } from '../yaml/load-config.js';
import { validateConfig } from './validate-config.js';

async function validate(content: string) {
  const loaded = await loadConfig({ projectDir: '/nonexistent', content, listFiles: () => [] });
  expect(loaded.errors).toEqual([]);
  return validateConfig({ data: loaded.data, positionOf: (p) => loaded.sourceMap.positionOf(p), file: '.gitlab-ci.yml' });
}
const messages = async (content: string) => (await validate(content)).errors.map((e) => e.message);

describe('validateConfig: GitLab messages', () => {
  it('reports unknown keys with the position of the first one', async () => {
    const r = await validate('build:\n  script: echo\n  scirpt: echo\n');
    expect(r.errors).toEqual([expect.objectContaining({
      message: 'jobs:build config contains unknown keys: scirpt', line: 3, column: 3, path: ['build', 'scirpt'],
    })]);
  });

  it('collects every error of the file', async () => {
    const m = await messages([
      'variables: [a]',
      'build:', '  script: []', '  when: later', '  retry: 5',
      'test:', '  script: echo', '  rules:', '    - if: $X ==', '  only: [main]',
      'other:', '  image: alpine',
    ].join('\n'));
    expect(m).toEqual(expect.arrayContaining([
      'variables config should be a hash of key value pairs',
      "jobs:build script can't be blank",
      'jobs:build when should be one of: on_success, on_failure, always, manual, delayed',
      'retry config must be less than or equal to 2',
      'jobs:test config key may not be used with `rules`: only',
      'jobs:test:rules:rule if invalid expression syntax',
      'jobs other config should implement the script:, run:, or trigger: keyword',
    ]));
  });

  it('requires a visible job', async () => {
    expect(await messages('.hidden:\n  script: echo\n')).toEqual(['jobs config should contain at least one visible job']);
  });

  it('checks stages and dependencies', async () => {
    const m = await messages([
      'stages: [build, test]',
      'a:', '  stage: deploy', '  script: x',
      'b:', '  stage: build', '  script: x', '  dependencies: [c, nope]',
      'c:', '  stage: test', '  script: x',
    ].join('\n'));
    expect(m).toEqual([
      'a job: chosen stage deploy does not exist; available stages are .pre, build, test, .post',
      'b job: dependency c is not defined in current or prior stages',
      'b job: undefined dependency: nope',
    ]);
  });

  it('checks needs through the DAG', async () => {
    expect(await messages('a:\n  script: x\n  needs: [missing]\n')).toEqual(['a job: undefined need: missing']);
    expect(await messages('a:\n  script: x\n  needs: [b]\nb:\n  script: x\n  needs: [a]\n'))
      .toEqual(['The pipeline has circular dependencies']);
  });

  it('checks dependencies are part of needs', async () => {
    expect(await messages('a:\n  script: x\nb:\n  script: x\nc:\n  script: x\n  needs: [a]\n  dependencies: [a, b]\n'))
      .toEqual(['jobs:c dependencies the b should be part of needs']);
  });

  it('script and trigger together', async () => {
    expect(await messages('a:\n  script: x\n  trigger: group/project\n')).toContain(
      'jobs:a config these keys cannot be used together: script, trigger');
  });

  it('retry, parallel and start_in', async () => {
    const m = await messages([
      'a:', '  script: x', '  retry: { max: 3, when: [nope] }',
      'b:', '  script: x', '  parallel: 500',
      'c:', '  script: x', '  parallel: foo',
      'd:', '  script: x', '  when: delayed', '  start_in: 2 weeks',
      'e:', '  script: x', '  start_in: 1 minute',
      'f:', '  script: x', '  retry: foo',
    ].join('\n'));
    expect(m).toEqual(expect.arrayContaining([
      'retry max must be less than or equal to 2',
      'retry when contains unknown values: nope',
      'jobs:b:parallel config must be less than or equal to 200',
      'jobs:c:parallel should be an integer or a hash',
      'jobs:d start in should not exceed the limit',
      'jobs:e start in must be blank',
      'retry config has to be either an integer or a hash',
    ]));
  });

  it('nested entries: cache, artifacts, image, environment, variables', async () => {
    const m = await messages([
      'variables:', '  A: { value: x, foo: y }',
      'a:', '  script: x',
      '  cache: { key: a/b, policy: sometimes }',
      '  artifacts: { when: later, paths: [x] }',
      '  image: { entrypoint: [""] }',
      '  environment: { name: prod, action: explode }',
      '  variables: { B: { value: x, description: y } }',
    ].join('\n'));
    expect(m).toEqual(expect.arrayContaining([
      'variables:a config uses invalid data keys: foo',
      'jobs:a:cache:key config cannot contain the "/" character',
      'jobs:a:cache policy should be a variable or one of: pull-push, push, pull',
      'jobs:a:artifacts when should be one of: on_success, on_failure, always',
      "jobs:a:image name can't be blank",
      'jobs:a:environment action should be start, stop, prepare, verify, or access',
      'jobs:a:variables:b config uses invalid data keys: description',
    ]));
  });

  it('environment on_stop targets', async () => {
    expect(await messages('a:\n  script: x\n  environment: { name: review, on_stop: stop }\nstop:\n  script: x\n  environment: { name: review }\n'))
      .toEqual(['a job: on_stop job stop needs to have action stop defined']);
  });

  it('warns about a last bare rules:when without workflow:rules', async () => {
    const r = await validate('a:\n  script: x\n  rules:\n    - if: $A\n    - when: always\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatch(/^jobs:a may allow multiple pipelines to run for a single action/);
    const w = await validate('workflow:\n  rules:\n    - when: always\na:\n  script: x\n  rules:\n    - when: always\n');
    expect(w.warnings).toEqual([]);
  });

  it('default and deprecated globals conflict', async () => {
    expect(await messages('image: a\ndefault:\n  image: b\nx:\n  script: y\n')).toEqual(['image is defined in top-level and `default:` entry']);
    expect(await messages('default:\n  stage: x\nx:\n  script: y\n')).toEqual(['default config contains unknown keys: stage']);
  });
});

describe('validateConfig: normalisation', () => {
  it('applies default: only for keys the job lacks, honouring inherit', async () => {
    const r = await validate([
      'default:', '  image: alpine', '  tags: [docker]',
      'variables: { G: "1", H: "2" }',
      'a:', '  script: x', '  tags: [own]',
      'b:', '  script: x', '  inherit: { default: [image], variables: [H] }',
      'c:', '  script: x', '  inherit: { default: false, variables: false }',
      'before_script: [echo deprecated]',
    ].join('\n'));
    expect(r.errors).toEqual([]);
    const [a, b, c] = r.config!.jobs;
    expect(a).toMatchObject({ image: { name: 'alpine' }, beforeScript: ['echo deprecated'], tags: ['own'] });
    expect(b).toMatchObject({ image: { name: 'alpine' }, beforeScript: [], tags: [], inherit: { default: ['image'], variables: ['H'] } });
    expect(c?.image).toBeUndefined();
  });

  it('reports both top-level before_script and default before_script', async () => {
    expect(await messages('before_script: [a]\ndefault:\n  before_script: [b]\nx:\n  script: y\n'))
      .toEqual(['before_script is defined in top-level and `default:` entry']);
  });

  it('normalises services, cache, retry and stages', async () => {
    const r = await validate([
      'stages: [[build], test]',
      'a:', '  script: [x, [y, z]]',
      '  services:', '    - name: "docker:dind"', '      alias: "docker, dind host"', '    - redis',
      '  cache:', '    key: { files: [lock], prefix: p }', '    paths: [vendor]',
      '  retry: 2',
      "  coverage: '/Total: (\\d+)%/'",
    ].join('\n'));
    expect(r.errors).toEqual([]);
    expect(r.config!.stages).toEqual(['.pre', 'build', 'test', '.post']);
    const job = r.config!.jobs[0]!;
    expect(job.script).toEqual(['x', 'y', 'z']);
    expect(job.services.map((s) => s.aliases)).toEqual([['docker', 'dind', 'host'], []]);
    expect(job.cache[0]).toMatchObject({ key: 'p-default', keyFiles: ['lock'], keyPrefix: 'p', policy: 'pull-push', when: 'on_success' });
    expect(job.retry).toEqual({ max: 2, when: ['always'], exitCodes: [] });
    expect(job.coverage).toBe('Total: (\\d+)%');
  });

  it('reports values of the wrong type instead of normalising them', async () => {
    const r = await validate([
      'build:', '  script:', '    run: make', '  before_script: [[x, 3]]',
      '  when: { toString: 1 }', '  variables: { A: { valueOf: 2, toString: 3 } }',
      '  parallel: { matrix: [{ A: [{ toString: 1 }] }] }',
      '  rules: [{ if: $X, when: { toString: 1 }, variables: { V: { toString: 1 } } }]',
      'workflow:', '  rules: [{ when: [never], variables: { W: { toString: 1 } } }]',
    ].join('\n'));
    expect(r.config).toBeUndefined();
    expect(r.errors.map((e) => [e.line, e.message])).toEqual(expect.arrayContaining([
      [2, 'jobs:build:script config should be a string or a nested array of strings up to 10 levels deep'],
      [4, 'jobs:build:before_script config should be a string or a nested array of strings up to 10 levels deep'],
      [5, 'jobs:build when should be one of: on_success, on_failure, always, manual, delayed'],
    ]));
  });

  it('computes a job position only when it is read', async () => {
    let asked = 0;
    const loaded = await loadConfig({ projectDir: '/nonexistent', content: 'a:\n  script: x\nb:\n  script: y\n', listFiles: () => [] });
    const r = validateConfig({ data: loaded.data, positionOf: (p) => { asked++; return loaded.sourceMap.positionOf(p); }, file: '.gitlab-ci.yml' });
    expect(asked).toBe(0);
    expect(r.config!.jobs[1]!.source).toEqual({ file: '.gitlab-ci.yml', line: 3 });
    expect(asked).toBe(1);
  });
});
