import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from './load-config.js';

type Files = Record<string, string>;

function load(files: Files, extra: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ projectDir: '/p', readFile: async (p) => files[p], listFiles: () => Object.keys(files), ...extra });
}

const TEMPLATE = [
  'spec:',
  '  inputs:',
  '    stage:',
  '      default: test',
  '    env:',
  '      options: [staging, production]',
  '    replicas:',
  '      type: number',
  '      default: 1',
  '    debug:',
  '      type: boolean',
  '      default: false',
  '    targets:',
  '      type: array',
  '      default: [a, b]',
  '    version:',
  '      regex: ^v\\d+\\.\\d+$',
  '      default: v1.0',
  '---',
  'deploy-$[[ inputs.env ]]:',
  '  stage: $[[ inputs.stage ]]',
  '  script: ./deploy --replicas $[[ inputs.replicas ]] --debug=$[[ inputs.debug ]] $[[ inputs.version | truncate(1,3) ]]',
  '  parallel: $[[ inputs.replicas ]]',
  '  interruptible: $[[ inputs.debug ]]',
  '  needs: $[[ inputs.targets ]]',
].join('\n');

describe('spec:inputs', () => {
  it('interpolates typed values into keys and values', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include:\n  - local: deploy.yml\n    inputs: {env: production, replicas: 3, debug: true}\n',
      'deploy.yml': TEMPLATE,
    });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({
      'deploy-production': {
        stage: 'test',
        script: './deploy --replicas 3 --debug=true 1.0',
        parallel: 3,
        interruptible: true,
        needs: ['a', 'b'],
      },
    });
    expect(r.sourceMap.positionOf(['deploy-production', 'stage'])).toEqual({ file: 'deploy.yml', line: 21, column: 3 });
  });

  it('reports missing, unknown and mistyped inputs with GitLab wording', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include:\n  - local: deploy.yml\n    inputs: {replicas: three, color: blue}\n',
      'deploy.yml': TEMPLATE,
    });
    expect(r.errors.map((e) => e.message)).toEqual([
      '`deploy.yml`: unknown input arguments: color, `env` input: required value has not been provided, `replicas` input: provided value is not a number',
    ]);
    expect(r.errors[0]).toMatchObject({ file: 'deploy.yml', line: 1 });
  });

  it('checks options and regex', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include:\n  - local: deploy.yml\n    inputs: {env: dev, version: "1.0"}\n',
      'deploy.yml': TEMPLATE,
    });
    expect(r.errors.map((e) => e.message)).toEqual([
      '`deploy.yml`: `env` input: `dev` cannot be used because it is not in the list of allowed options, `version` input: provided value does not match required RegEx pattern',
    ]);
  });

  it('rejects inputs for a file without a spec header', async () => {
    const r = await load({ '.gitlab-ci.yml': 'include:\n  - local: a.yml\n    inputs: {x: 1}\n', 'a.yml': 'a: {script: a}\n' });
    expect(r.errors.map((e) => e.message)).toEqual(['`a.yml`: Given inputs not defined in the `spec` section of the included configuration file']);
  });

  it('reports unknown interpolation keys and functions', async () => {
    const header = 'spec:\n  inputs:\n    name: {default: x}\n---\n';
    const bad = await load({ '.gitlab-ci.yml': 'include: a.yml\n', 'a.yml': `${header}job:\n  script: echo $[[ inputs.nope ]]\n` });
    expect(bad.errors.map((e) => e.message)).toEqual(['`a.yml`: interpolation interrupted by errors, unknown interpolation key: `nope`']);
    const fn = await load({ '.gitlab-ci.yml': 'include: a.yml\n', 'a.yml': `${header}job:\n  script: $[[ inputs.name | shout ]]\n` });
    expect(fn.errors[0]?.message).toContain('no function matching `shout`');
  });

  it('takes the root file inputs from the options and expands variables with expand_vars', async () => {
    const r = await load(
      { '.gitlab-ci.yml': 'spec:\n  inputs:\n    image: {}\n---\njob:\n  image: $[[ inputs.image | expand_vars ]]\n  script: x\n' },
      { inputs: { image: 'alpine:$TAG' }, variables: [{ key: 'TAG', value: '3.12' }] },
    );
    expect(r.errors).toEqual([]);
    expect(r.data['job']).toEqual({ image: 'alpine:3.12', script: 'x' });
  });

  it('leaves $[[ ]] alone in files without a header', async () => {
    const r = await load({ '.gitlab-ci.yml': 'job: {script: "echo $[[ inputs.x ]]"}\n' });
    expect(r.errors).toEqual([]);
    expect(r.data['job']).toEqual({ script: 'echo $[[ inputs.x ]]' });
  });
});
