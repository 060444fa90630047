// runJob driven through the FakeExecutor: stage order, outcomes, signals, masking.
import { describe, expect, it } from 'vitest';
import { FakeExecutor } from '../executor/fake/fake-executor.js';
import { fakeJob, type FakeJobOptions } from '../executor/fake/fake-job.js';
import type { ExecutorJob } from '../executor/executor.js';
import { runJob } from './run-job.js';
import type { JobWorkspace, RunJobOptions } from './types.js';

class RecordingWorkspace implements JobWorkspace {
  readonly calls: string[] = [];
  constructor(private readonly failures: Partial<Record<string, Error>> = {}) {}
  private async step(name: string): Promise<void> {
    this.calls.push(name);
    const err = this.failures[name];
    if (err) throw err;
  }
  getSources = () => this.step('getSources');
  restoreCache = () => this.step('restoreCache');
  downloadArtifacts = () => this.step('downloadArtifacts');
  archiveCache = (outcome: 'success' | 'failed') => this.step(`archiveCache:${outcome}`);
  uploadArtifacts = (outcome: 'success' | 'failed') => this.step(`uploadArtifacts:${outcome}`);
}

const WITH_EVERYTHING: FakeJobOptions['spec'] = {
  beforeScript: ['echo before'], script: ['echo script'], afterScript: ['echo after'],
  cache: [{ key: 'k', paths: ['c/'], untracked: false, policy: 'pull-push', when: 'on_success', fallbackKeys: [], unprotect: false }],
  dependencies: ['build'],
  artifacts: { name: 'a', paths: ['out/'], exclude: [], untracked: false, when: 'on_success', reports: {} },
};

async function execute(job: ExecutorJob, opts: Partial<RunJobOptions> & { workspace?: RecordingWorkspace } = {}) {
  const executor = new FakeExecutor();
  const workspace = opts.workspace ?? new RecordingWorkspace();
  let log = '';
  const result = await runJob(job, executor, workspace, {
    signal: opts.signal ?? new AbortController().signal,
    sink: { write: (c) => { log += c.toString(); } },
    ...(opts.defaultTimeoutSeconds !== undefined ? { defaultTimeoutSeconds: opts.defaultTimeoutSeconds } : {}),
    ...(opts.afterScriptTimeoutSeconds !== undefined ? { afterScriptTimeoutSeconds: opts.afterScriptTimeoutSeconds } : {}),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const script = (stage: string) => executor.calls.find((c) => c.stage === stage)?.script ?? '';
  return { result, log, executor, workspace, stages: executor.stagesOf(job.runId), methods: executor.calls.map((c) => c.stage ?? c.method), script };
}

function abortAfter(ms: number): AbortSignal {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
}

describe('runJob stage order', () => {
  it('runs every stage in GitLab order and succeeds', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING }));
    expect(r.result.status).toBe('success');
    expect(r.result.exitCode).toBe(0);
    expect(r.result.failureReason).toBeUndefined();
    expect(r.methods).toEqual(['prepare', 'prepare_script', 'step_script', 'after_script', 'cleanup']);
    expect(r.workspace.calls).toEqual(['getSources', 'restoreCache', 'downloadArtifacts', 'archiveCache:success', 'uploadArtifacts:success']);
    expect(r.result.timings.map((t) => t.stage)).toEqual([
      'prepare_executor', 'prepare_script', 'get_sources', 'restore_cache', 'download_artifacts',
      'step_script', 'after_script', 'archive_cache', 'upload_artifacts_on_success', 'cleanup',
    ]);
    expect(r.result.finishedAt.getTime()).toBeGreaterThanOrEqual(r.result.startedAt.getTime());
  });

  it('prints GitLab-like lines and sections', async () => {
    const { log } = await execute(fakeJob({ spec: WITH_EVERYTHING }));
    expect(log).toMatch(/^Running with drydock \S+\n/);
    expect(log).toMatch(/section_start:\d+:prepare_executor\r\x1b\[0K\x1b\[36;1mPreparing the "fake" executor\x1b\[0;m\n/);
    for (const text of ['Preparing environment', 'Getting source from Git repository', 'Restoring cache', 'Downloading artifacts',
      'Executing "step_script" stage of the job script', 'Running after_script', 'Saving cache for successful job', 'Uploading artifacts for successful job']) {
      expect(log).toContain(`\x1b[36;1m${text}\x1b[0;m\n`);
    }
    expect(log).toMatch(/section_end:\d+:upload_artifacts_on_success\r\x1b\[0K\x1b\[32;1mJob succeeded\x1b\[0;m\n$/);
  });

  it('skips cache and artifact stages the job does not use', async () => {
    const r = await execute(fakeJob());
    expect(r.workspace.calls).toEqual(['getSources']);
    expect(r.methods).toEqual(['prepare', 'prepare_script', 'step_script', 'cleanup']);
  });

  it('runs before_script and script in one shell, with runner variables', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { MY_VAR: 'x' } }));
    const step = r.script('step_script');
    expect(step.indexOf('echo before')).toBeLessThan(step.indexOf('echo script'));
    expect(step).not.toContain('echo after');
    expect(step).toContain("export CI_JOB_STATUS=running");
    expect(step).toContain('export CI_PROJECT_DIR=/builds/group/project');
    expect(step).toContain('export CI_BUILDS_DIR=/builds');
    expect(step).toContain('export CI_JOB_TIMEOUT=3600');
    expect(step).toContain('export MY_VAR=x');
    expect(r.script('after_script')).toContain('export CI_JOB_STATUS=success');
  });
});

describe('runJob with runner hooks', () => {
  const hooks = { preGetSourcesScript: 'echo runner-pre-sources', postGetSourcesScript: 'echo runner-post-sources', preBuildScript: 'echo runner-pre-build', postBuildScript: 'echo runner-post-build' };

  it('runs pre/post_get_sources_script around the checkout and pre/post_build_script around the job script', async () => {
    const r = await execute(fakeJob({ spec: { ...WITH_EVERYTHING, hooks: { preGetSourcesScript: ['echo job-hook'] } } }), { hooks });
    expect(r.methods).toEqual(['prepare', 'prepare_script', 'get_sources', 'get_sources', 'step_script', 'after_script', 'cleanup']);
    const [pre, post] = r.executor.calls.filter((c) => c.stage === 'get_sources').map((c) => c.script ?? '');
    // Before the checkout the project dir may not exist yet: the pre hooks start in the builds dir.
    expect(pre).toMatch(/cd '?\/builds'?\n[^]*echo runner-pre-sources\n[^]*echo job-hook\n/);
    expect(post).toMatch(/cd '?\/builds\/group\/project'?\n[^]*echo runner-post-sources\n/);
    const step = r.script('step_script');
    const order = ['echo runner-pre-build', 'echo before', 'echo script', 'echo runner-post-build'].map((c) => step.indexOf(`\n${c}\n`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.script('after_script')).not.toContain('runner-p');
  });

  it('a job hook alone runs before the checkout; no hooks, no extra stage script', async () => {
    const withJobHook = await execute(fakeJob({ spec: { hooks: { preGetSourcesScript: ['echo job-hook'] } } }));
    expect(withJobHook.methods).toEqual(['prepare', 'prepare_script', 'get_sources', 'step_script', 'cleanup']);
    expect((await execute(fakeJob(), { hooks: { preBuildScript: '  ' } })).methods).toEqual(['prepare', 'prepare_script', 'step_script', 'cleanup']);
  });

  it('a failing pre_get_sources_script fails the job before its script', async () => {
    const executor = new FakeExecutor();
    const job = fakeJob({ spec: { hooks: { preGetSourcesScript: ['exit 7'] } }, variables: { FAKE_GET_SOURCES_EXIT_CODE: '7' } });
    const workspace = new RecordingWorkspace();
    const result = await runJob(job, executor, workspace, { signal: new AbortController().signal, sink: { write: () => {} } });
    expect(result.status).toBe('failed');
    expect(workspace.calls).toEqual([]);
    expect(executor.calls.map((c) => c.stage ?? c.method)).toEqual(['prepare', 'prepare_script', 'get_sources', 'cleanup']);
  });
});

describe('runJob failures', () => {
  it('fails with script_failure and still runs after_script and the on_failure uploads', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_EXIT_CODE: '3' } }));
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'script_failure', exitCode: 3, allowedToFail: false });
    expect(r.log).toContain('\x1b[31;1mERROR: Job failed: exit code 3\x1b[0;m\n');
    expect(r.script('after_script')).toContain('export CI_JOB_STATUS=failed');
    expect(r.workspace.calls).toEqual(['getSources', 'restoreCache', 'downloadArtifacts', 'archiveCache:failed', 'uploadArtifacts:failed']);
    expect(r.result.timings.map((t) => t.stage)).toContain('upload_artifacts_on_failure');
  });

  it('ignores an after_script failure', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_AFTER_EXIT_CODE: '9' } }));
    expect(r.result.status).toBe('success');
    expect(r.log).toContain('WARNING: after_script failed, but job will continue unaffected: exit code 9');
  });

  it('honours allow_failure and allow_failure:exit_codes', async () => {
    const failing = { FAKE_EXIT_CODE: '3' };
    expect((await execute(fakeJob({ spec: { allowFailure: true }, variables: failing }))).result.allowedToFail).toBe(true);
    expect((await execute(fakeJob({ spec: { allowFailure: { exitCodes: [2, 3] } }, variables: failing }))).result.allowedToFail).toBe(true);
    expect((await execute(fakeJob({ spec: { allowFailure: { exitCodes: [4] } }, variables: failing }))).result.allowedToFail).toBe(false);
    expect((await execute(fakeJob({ spec: { allowFailure: true } }))).result.allowedToFail).toBe(false);
  });

  it('maps an ExecutorError from prepare to its failure reason and skips the scripts', async () => {
    const pull = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_PREPARE_ERROR: 'image_pull_failure: pull access denied for nope' } }));
    expect(pull.result).toMatchObject({ status: 'failed', failureReason: 'image_pull_failure' });
    expect(pull.result.exitCode).toBeUndefined();
    expect(pull.log).toContain('ERROR: Job failed: pull access denied for nope');
    expect(pull.methods).toEqual(['prepare', 'cleanup']);
    expect(pull.workspace.calls).toEqual([]);

    const system = await execute(fakeJob({ variables: { FAKE_PREPARE_ERROR: 'daemon gone' } }));
    expect(system.result.failureReason).toBe('runner_system_failure');
    expect(system.log).toContain('ERROR: Job failed (system failure): daemon gone');
  });

  it('maps an ExecutorError during step_script to runner_system_failure, running after_script', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_RUN_ERROR: 'container vanished' } }));
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'runner_system_failure' });
    expect(r.methods).toContain('after_script');
  });

  it('uses a workspace error failureReason, else runner_system_failure, and still uploads on failure', async () => {
    const missing = Object.assign(new Error('dependency build has no artifacts'), { failureReason: 'missing_dependency_failure' });
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING }), { workspace: new RecordingWorkspace({ downloadArtifacts: missing }) });
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'missing_dependency_failure' });
    expect(r.log).toContain('ERROR: Job failed: dependency build has no artifacts');
    expect(r.methods).not.toContain('step_script');
    expect(r.workspace.calls.slice(-2)).toEqual(['archiveCache:failed', 'uploadArtifacts:failed']);

    const clone = await execute(fakeJob(), { workspace: new RecordingWorkspace({ getSources: new Error('fatal: repository not found') }) });
    expect(clone.result.failureReason).toBe('runner_system_failure');
  });

  it('fails a successful job whose cache or artifact upload fails', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING }), { workspace: new RecordingWorkspace({ 'uploadArtifacts:success': new Error('413 too large') }) });
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'runner_system_failure', exitCode: 0 });
  });

  it('reports a cleanup failure as a warning without changing the result', async () => {
    const executor = new FakeExecutor();
    executor.cleanup = async () => { throw new Error('network in use'); };
    let log = '';
    const result = await runJob(fakeJob(), executor, new RecordingWorkspace(), { signal: new AbortController().signal, sink: { write: (c) => { log += c.toString(); } } });
    expect(result.status).toBe('success');
    expect(log).toContain('WARNING: cleanup failed: network in use');
  });
});

describe('runJob timeouts and cancel', () => {
  it('fails with job_execution_timeout; nothing but cleanup runs after the deadline', async () => {
    const r = await execute(fakeJob({ spec: { ...WITH_EVERYTHING, timeoutSeconds: 0.3 }, variables: { FAKE_SLEEP_MS: '10000' } }));
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'job_execution_timeout' });
    expect(r.log).toContain('ERROR: Job failed: execution took longer than 300ms seconds');
    expect(r.methods).toEqual(['prepare', 'prepare_script', 'step_script', 'cleanup']);
    expect(r.workspace.calls).toEqual(['getSources', 'restoreCache', 'downloadArtifacts']);
    const cleanup = r.executor.calls.find((c) => c.method === 'cleanup');
    expect(cleanup?.aborted).toBe(false);
  });

  it('uses defaultTimeoutSeconds when the job has none, formatted like Go', async () => {
    const r = await execute(fakeJob({ variables: { FAKE_SLEEP_MS: '10000' } }), { defaultTimeoutSeconds: 0.2 });
    expect(r.result.failureReason).toBe('job_execution_timeout');
    expect(r.log).toContain('execution took longer than 200ms seconds');
  });

  it('cancel during the script: after_script (canceled) and on_failure uploads still run', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_SLEEP_MS: '10000' } }), { signal: abortAfter(150) });
    expect(r.result.status).toBe('canceled');
    expect(r.result.failureReason).toBeUndefined();
    expect(r.log).toContain('ERROR: Job failed: canceled');
    expect(r.script('after_script')).toContain('export CI_JOB_STATUS=canceled');
    expect(r.executor.calls.find((c) => c.stage === 'after_script')?.aborted).toBe(false);
    expect(r.workspace.calls.slice(-2)).toEqual(['archiveCache:failed', 'uploadArtifacts:failed']);
    expect(r.methods.at(-1)).toBe('cleanup');
  });

  it('cancel before the script stops the job at once', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_PREPARE_SLEEP_MS: '10000' } }), { signal: abortAfter(100) });
    expect(r.result.status).toBe('canceled');
    expect(r.methods).toEqual(['prepare', 'cleanup']);
    expect(r.workspace.calls).toEqual([]);
  });

  it('an already-fired signal cancels without running anything', async () => {
    const c = new AbortController();
    c.abort();
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING }), { signal: c.signal });
    expect(r.result.status).toBe('canceled');
    expect(r.methods).not.toContain('step_script');
    expect(r.methods.at(-1)).toBe('cleanup');
  });

  it('RUNNER_SCRIPT_TIMEOUT bounds only the script: after_script sees timedout, uploads run', async () => {
    const r = await execute(fakeJob({ spec: WITH_EVERYTHING, variables: { FAKE_SLEEP_MS: '10000', RUNNER_SCRIPT_TIMEOUT: '200ms' } }));
    expect(r.result).toMatchObject({ status: 'failed', failureReason: 'job_execution_timeout' });
    expect(r.script('after_script')).toContain('export CI_JOB_STATUS=timedout');
    expect(r.workspace.calls.slice(-2)).toEqual(['archiveCache:failed', 'uploadArtifacts:failed']);
  });
});

describe('runJob masking', () => {
  it('masks masked variables in all output, even split across writes', async () => {
    const secret = 'super@secret:token-123';
    const job = fakeJob({
      resolved: [{ key: 'TOKEN', value: secret, masked: true, file: false, raw: false }],
      variables: { FAKE_OUTPUT: `login with ${secret}\\nurl-encoded: ${encodeURIComponent(secret)}\\n`, FAKE_OUTPUT_CHUNK: '3', FAKE_EXIT_CODE: '1' },
    });
    const r = await execute(job);
    expect(r.log).not.toContain(secret);
    expect(r.log).not.toContain(encodeURIComponent(secret));
    expect(r.log).toContain('login with [MASKED]\n');
    expect(r.log).toContain('url-encoded: [MASKED]\n');
  });
});
