import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../pipeline/spec/job-spec.js';
import { jobPayloadFromSpec, type PayloadExtras } from './job-payload-from-spec.js';
import { jobPayloadSchema } from './job-payload.js';
import { jobSpecFromPayload } from './job-spec-from-payload.js';

const v = (key: string, value: string, extra: Partial<JobSpec['variables'][number]> = {}) =>
  ({ key, value, public: true, masked: false, file: false, raw: false, ...extra });

function baseSpec(over: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'build', stage: 'build', stageIndex: 1, when: 'on_success', allowFailure: false, services: [],
    variables: [v('A', '1')], hooks: { preGetSourcesScript: [] }, beforeScript: [], script: ['echo hi'], afterScript: [],
    needs: null, dependencies: [], cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [], interruptible: false,
    ...over,
  };
}

const extras: PayloadExtras = {
  jobId: 7, token: 'glcbt-1_abc',
  jobInfo: { pipeline_id: 3, project_id: 2, project_name: 'app', project_full_path: 'grp/app' },
  git: { repo_url: 'http://gitlab-ci-token:glcbt-1_abc@h/grp/app.git', ref: 'main', sha: 'a'.repeat(40), before_sha: '0'.repeat(40),
    ref_type: 'branch', refspecs: ['+refs/pipelines/3:refs/pipelines/3'], depth: 20 },
  timeoutSeconds: 600,
};

/** What a spec looks like after a trip through the payload: fields the payload cannot carry take neutral values. */
function payloadView(spec: JobSpec): JobSpec {
  const out: JobSpec = {
    ...spec, stageIndex: 0, when: 'on_success', beforeScript: [], script: [...spec.beforeScript, ...spec.script],
    allowFailure: spec.allowFailure === true, needs: null, retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [],
    interruptible: false, timeoutSeconds: 600,
    cache: spec.cache.map((c) => ({ ...c, unprotect: false, keyFiles: undefined, keyPrefix: undefined })).map(stripUndefined),
  };
  for (const k of ['startIn', 'resourceGroup', 'environment', 'coverage', 'trigger', 'secrets', 'idTokens', 'manualConfirmation', 'source'] as const) delete out[k];
  return out;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}

describe('jobPayloadFromSpec / jobSpecFromPayload', () => {
  it('builds the payload GitLab sends: merged script step, after_script step, features', () => {
    const p = jobPayloadFromSpec(baseSpec({ beforeScript: ['b'], afterScript: ['c'] }), extras);
    expect(p.steps).toEqual([
      { name: 'script', script: ['b', 'echo hi'], timeout: 600, when: 'on_success', allow_failure: false },
      { name: 'after_script', script: ['c'], timeout: 600, when: 'always', allow_failure: true },
    ]);
    expect(p.job_info).toMatchObject({ id: 7, name: 'build', stage: 'build', pipeline_id: 3, project_id: 2 });
    expect(p.runner_info).toEqual({ timeout: 600, runner_session_url: null });
    expect(p.features.failure_reasons).toContain('script_failure');
    expect(p.variables).toEqual([{ key: 'A', value: '1', public: true, masked: false }]);
    expect(jobPayloadSchema.parse(JSON.parse(JSON.stringify(p)))).toBeTruthy();
  });

  it('serialises file and raw only when true, and uses extras.variables when given', () => {
    const p = jobPayloadFromSpec(baseSpec(), { ...extras, variables: [v('F', 'x', { file: true }), v('R', '$y', { raw: true, public: false })] });
    expect(p.variables).toEqual([
      { key: 'F', value: 'x', public: true, masked: false, file: true },
      { key: 'R', value: '$y', public: false, masked: false, raw: true },
    ]);
  });

  it('maps image, services, artifacts with reports, cache and hooks', () => {
    const spec = baseSpec({
      image: { name: 'docker:20.10.16', entrypoint: [''], pullPolicy: ['if-not-present'], docker: { platform: 'linux/amd64' } },
      services: [{ name: 'docker:dind', aliases: ['docker', 'dind'], pullPolicy: [], command: ['--tls=false'], variables: [v('S', '1')] }],
      artifacts: { name: 'out', paths: ['dist/'], exclude: ['dist/*.tmp'], untracked: false, when: 'on_success', expireIn: '1 week', reports: { junit: ['r.xml'] } },
      cache: [{ key: 'k', paths: ['vendor/'], untracked: false, policy: 'pull', when: 'on_success', fallbackKeys: ['f'], unprotect: false }],
      hooks: { preGetSourcesScript: ['git config x y'] },
    });
    const p = jobPayloadFromSpec(spec, extras);
    expect(p.image).toEqual({ name: 'docker:20.10.16', entrypoint: [''], ports: [], executor_opts: { docker: { platform: 'linux/amd64' } }, pull_policy: ['if-not-present'] });
    expect(p.services?.[0]).toMatchObject({ name: 'docker:dind', alias: 'docker,dind', command: ['--tls=false'], variables: [{ key: 'S', value: '1' }] });
    expect(p.artifacts).toEqual([
      { name: 'out', untracked: false, paths: ['dist/'], exclude: ['dist/*.tmp'], when: 'on_success', expire_in: '1 week', artifact_type: 'archive', artifact_format: 'zip' },
      { name: 'junit.xml', untracked: false, paths: ['r.xml'], when: 'always', expire_in: '1 week', artifact_type: 'junit', artifact_format: 'gzip' },
    ]);
    expect(p.cache).toEqual([{ key: 'k', untracked: false, paths: ['vendor/'], policy: 'pull', when: 'on_success', fallback_keys: ['f'] }]);
    expect(p.hooks).toEqual([{ name: 'pre_get_sources_script', script: ['git config x y'] }]);
    const back = jobSpecFromPayload(jobPayloadSchema.parse(JSON.parse(JSON.stringify(p))));
    expect(back).toEqual(payloadView(spec));
  });

  it('round-trips specs through JSON', () => {
    const specs: JobSpec[] = [
      baseSpec(),
      baseSpec({ beforeScript: ['a', 'b'], afterScript: ['z'], allowFailure: true }),
      baseSpec({ allowFailure: { exitCodes: [3] }, variables: [v('M', 'secret', { masked: true, public: false }), v('CI_NODE_INDEX', '2'), v('CI_NODE_TOTAL', '3')], parallel: { index: 2, total: 3 } }),
      baseSpec({ image: { name: 'alpine', pullPolicy: [] }, dependencies: [] }),
      baseSpec({ artifacts: { name: 'a', paths: [], exclude: [], untracked: true, when: 'always', reports: {} } }),
    ];
    for (const spec of specs) {
      const json = JSON.parse(JSON.stringify(jobPayloadFromSpec(spec, extras)));
      expect(jobSpecFromPayload(jobPayloadSchema.parse(json))).toEqual(payloadView(spec));
    }
  });

  it('parses a minimal payload with runner-style defaults', () => {
    const p = jobPayloadSchema.parse({
      id: 1, token: 't', job_info: { id: 1, name: 'j', stage: 'test', pipeline_id: 1, project_id: 1, project_name: 'p' },
      git_info: { repo_url: 'u', ref: 'main', sha: 's' },
    });
    const spec = jobSpecFromPayload(p);
    expect(spec.script).toEqual([]);
    expect(spec.timeoutSeconds).toBe(7200);
    expect(spec.image).toBeUndefined();
  });
});
