import { describe, expect, it } from 'vitest';
import { expandRunner } from '../../pipeline/variables/expand.js';
import { jobPayloadSchema } from '../../protocol/index.js';
import { runnerJobVariables } from './runner-job-variables.js';
import { lastValue } from '../../shared/variable-lookup.js';

const payload = jobPayloadSchema.parse({
  id: 1, token: 'glcbt-1', job_info: { id: 1, name: 'b', stage: 's', pipeline_id: 1, project_id: 1, project_name: 'p' },
  git_info: { repo_url: 'http://x', ref: 'main', sha: 'a'.repeat(40) },
  image: { name: 'alpine:3.12' },
  credentials: [{ type: 'registry', url: 'registry.example:5005', username: 'gitlab-ci-token', password: 'glcbt-1' }],
  variables: [
    { key: 'CI_PROJECT_DIR', value: '/server/says' },
    { key: 'GREETING', value: 'hello $WHO', public: true },
    { key: 'WHO', value: 'world' },
    { key: 'RAW', value: '$WHO', raw: true },
    { key: 'FILEVAR', value: 'content', file: true },
    { key: 'USES_FILE', value: 'path=$FILEVAR' },
    { key: 'DOCKER_DRIVER', value: 'vfs' },
    { key: 'FF_TIMESTAMPS', value: 'true' },
    { key: 'SECRET', value: 's3cret', masked: true },
  ],
});

describe('runnerJobVariables', () => {
  const vars = runnerJobVariables({
    payload, paths: { buildsDir: '/builds', projectDir: '/builds/g/p', tmpDir: '/builds/g/p.tmp' },
    environment: ['DOCKER_DRIVER=overlay2', 'FROM_RUNNER=yes'], featureFlags: { FF_TIMESTAMPS: false },
    shortToken: 'abc', concurrentId: 2, concurrentProjectId: 1, executorName: 'docker', version: '1.0', expand: expandRunner,
  });
  const get = (k: string) => lastValue(vars, k);

  it('puts job variables over the runner environment, and runner directories over everything', () => {
    expect(get('DOCKER_DRIVER')).toBe('vfs');
    expect(get('FROM_RUNNER')).toBe('yes');
    expect(get('CI_PROJECT_DIR')).toBe('/builds/g/p');
    expect(get('CI_CONCURRENT_ID')).toBe('2');
    expect(get('CI_CONCURRENT_PROJECT_ID')).toBe('1');
    expect(get('CI_RUNNER_SHORT_TOKEN')).toBe('abc');
    expect(get('CI_JOB_IMAGE')).toBe('alpine:3.12');
    expect(get('CI_DISPOSABLE_ENVIRONMENT')).toBe('true');
  });

  it('turns the payload\'s registry credentials into a masked DOCKER_AUTH_CONFIG', () => {
    const auth = vars.find((v) => v.key === 'DOCKER_AUTH_CONFIG');
    expect(auth?.masked).toBe(true);
    expect(JSON.parse(auth!.value)).toEqual({ auths: { 'registry.example:5005': { username: 'gitlab-ci-token', password: 'glcbt-1', auth: Buffer.from('gitlab-ci-token:glcbt-1').toString('base64') } } });
  });

  it('lets [runners.feature_flags] win over FF_ job variables', () => {
    expect(get('FF_TIMESTAMPS')).toBe('false');
  });

  it('expands references once, leaving raw values and file references alone', () => {
    expect(get('GREETING')).toBe('hello world');
    expect(get('RAW')).toBe('$WHO');
    expect(get('USES_FILE')).toBe('path=${FILEVAR}');
    expect(vars.find((v) => v.key === 'SECRET')?.masked).toBe(true);
    expect(vars.find((v) => v.key === 'FILEVAR')?.file).toBe(true);
  });
});
