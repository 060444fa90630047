// DockerExecutor without an engine: what a user sees when Docker is not there.
import { describe, expect, it } from 'vitest';
import { fakeJob } from '../fake/fake-job.js';
import { DockerExecutor } from './docker-executor.js';

describe('DockerExecutor.prepare without a reachable engine', () => {
  it('says the engine cannot be reached (not the error of whichever call ran first), as a system failure', async () => {
    const executor = new DockerExecutor({ connection: { host: 'unix:///nonexistent/drydock-test/docker.sock' }, removeOrphansAtStart: false });
    const job = fakeJob({ spec: { image: { name: 'busybox:latest', pullPolicy: [] }, services: [{ name: 'docker:dind', aliases: [], pullPolicy: [], variables: [] }] } });
    const sink = { write: () => {} };
    await expect(executor.prepare(job, sink, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      message: expect.stringContaining('cannot reach the Docker engine'),
      failureReason: 'runner_system_failure',
    });
    await executor.cleanup(job, AbortSignal.timeout(10_000)).catch(() => undefined);
  });
});
