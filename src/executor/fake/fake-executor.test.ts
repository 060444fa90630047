import { describe, expect, it } from 'vitest';
import { ExecutorError } from '../executor.js';
import { FakeExecutor } from './fake-executor.js';
import { fakeJob } from './fake-job.js';

const live = () => new AbortController().signal;

function collect(): { write(c: string | Buffer): void; chunks: string[] } {
  const chunks: string[] = [];
  return { chunks, write: (c) => { chunks.push(c.toString()); } };
}

describe('FakeExecutor', () => {
  it('succeeds by default and records every call in order', async () => {
    const e = new FakeExecutor();
    const job = fakeJob({ runId: 'r1' });
    await e.prepare(job, collect(), live());
    expect(await e.run(job, { stage: 'step_script', script: 'echo hi' }, collect(), live())).toEqual({ exitCode: 0 });
    await e.cleanup(job, live());
    expect(e.calls.map((c) => c.method)).toEqual(['prepare', 'run', 'cleanup']);
    expect(e.calls[1]).toMatchObject({ stage: 'step_script', script: 'echo hi', runId: 'r1', aborted: false });
    expect(e.stagesOf('r1')).toEqual(['step_script']);
    expect(e.stagesOf('other')).toEqual([]);
  });

  it('takes exit codes and output from variables, in chunks', async () => {
    const e = new FakeExecutor();
    const job = fakeJob({ variables: { FAKE_EXIT_CODE: '3', FAKE_AFTER_EXIT_CODE: '4', FAKE_OUTPUT: 'abc\\ndef', FAKE_OUTPUT_CHUNK: '2' } });
    const sink = collect();
    expect(await e.run(job, { stage: 'step_script', script: '' }, sink, live())).toEqual({ exitCode: 3 });
    expect(sink.chunks).toEqual(['ab', 'c\n', 'de', 'f']);
    expect(await e.run(job, { stage: 'after_script', script: '' }, collect(), live())).toEqual({ exitCode: 4 });
    expect(await e.run(job, { stage: 'prepare_script', script: '' }, collect(), live())).toEqual({ exitCode: 0 });
  });

  it('sleeps until the signal fires, then reports SIGTERM', async () => {
    const e = new FakeExecutor();
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    const result = await e.run(fakeJob({ variables: { FAKE_SLEEP_MS: '60000' } }), { stage: 'step_script', script: '' }, collect(), c.signal);
    expect(result).toEqual({ exitCode: 143, signal: 'SIGTERM' });
    expect(e.calls[0]?.aborted).toBe(true);
  });

  it('throws ExecutorErrors with the reason named in the variable', async () => {
    const e = new FakeExecutor({ name: 'docker' });
    expect(e.name).toBe('docker');
    const pull = e.prepare(fakeJob({ variables: { FAKE_PREPARE_ERROR: 'image_pull_failure: manifest unknown' } }), collect(), live());
    await expect(pull).rejects.toMatchObject({ name: 'ExecutorError', failureReason: 'image_pull_failure', message: 'manifest unknown' });
    const plain = e.run(fakeJob({ variables: { FAKE_RUN_ERROR: 'daemon: gone' } }), { stage: 'step_script', script: '' }, collect(), live());
    await expect(plain).rejects.toBeInstanceOf(ExecutorError);
    await expect(plain).rejects.toMatchObject({ failureReason: 'runner_system_failure', message: 'daemon: gone' });
    expect(e.calls.map((c) => c.method)).toEqual(['prepare', 'run']);
  });
});
