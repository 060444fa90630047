// The Docker executor's short path for jobs that need nothing but their script: no services and no
// after_script. No per-job network, the standard prepare_script done on the host, and the job
// container created but not started until step_script, which runs as its own process (as
// `docker run` would). Jobs with an ENTRYPOINT, services or after_script keep the exec path
// (docker-executor.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.js';
import { generatePrepareScript, generateScript, GITLAB_ENV_FILE } from '../../src/executor/script/generate-script.js';
import { collector, jobSpec, leftovers, makeJob, service, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';

const skip = skipWithoutDocker();

function objects(kind: 'container' | 'network', runId: string): string[] {
  const args = kind === 'container' ? ['ps', '-a', '--format', '{{.State}}'] : ['network', 'ls', '--format', '{{.Name}}'];
  const [command, ...rest] = args;
  return execFileSync('docker', [command!, ...rest, '--filter', `label=com.drydock.run-id=${runId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe.skipIf(skip)('DockerExecutor without services or after_script', () => {
  afterEach(() => {
    expect(leftovers()).toEqual([]);
  });

  it('runs step_script as the container process, with no network and prepare_script on the host', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'] });
    const job = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] } }));
    const sink = collector();
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, sink, signal);
      expect(objects('network', job.runId)).toEqual([]);
      expect(objects('container', job.runId)).toEqual(['created']);
      const paths = executor.jobPaths(job);
      writeFileSync(join(job.hostTmpDir, GITLAB_ENV_FILE), 'STALE=1\n');
      expect(await executor.run(job, { stage: 'prepare_script', script: generatePrepareScript({ shell: 'bash', paths }) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toMatch(/Running on runner-local-project-0-concurrent-0\.\.\.\n/);
      expect(existsSync(join(job.hostTmpDir, GITLAB_ENV_FILE))).toBe(false);
      expect(objects('container', job.runId)).toEqual(['created']);
      const stage = (commands: string[]) => generateScript({ shell: 'bash', stage: 'step_script', commands, variables: job.variables, paths, traceSections: false });
      expect(await executor.run(job, { stage: 'step_script', script: stage(['echo "host=$(hostname)"', 'echo kept > /tmp/state', 'exit 4']) }, sink, signal)).toEqual({ exitCode: 4 });
      expect(sink.text()).toContain('host=runner-local-project-0-concurrent-0\n');
      expect(objects('container', job.runId)).toEqual(['exited']);
      // Another stage (not one the runtime asks for here) restarts the same container.
      expect(await executor.run(job, { stage: 'step_script', script: stage(['cat /tmp/state']) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toContain('kept\n');
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });

  it('keeps the exec path and a network when the job has services or after_script', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'], waitForServicesTimeout: -1 });
    const withAfter = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, afterScript: ['true'] }));
    const withService = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, services: [service('busybox:latest', { command: ['sleep', '30'] })] }));
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(withAfter, collector(), signal);
      expect(objects('container', withAfter.runId)).toEqual(['running']);
      expect(objects('network', withAfter.runId)).toEqual([]);
      await executor.prepare(withService, collector(), signal);
      expect(objects('container', withService.runId)).toEqual(['running', 'running']);
      expect(objects('network', withService.runId)).toHaveLength(1);
    } finally {
      await Promise.all([withAfter, withService].map((j) => executor.cleanup(j, AbortSignal.timeout(30_000))));
      withAfter.dispose();
      withService.dispose();
    }
  });
});
