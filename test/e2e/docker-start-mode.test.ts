// The Docker executor's short paths. A job with nothing but its script (no services, no
// after_script): no per-job network, the standard prepare_script done on the host, and the job
// container created but not started until step_script, which runs as its own process (as
// `docker run` would). A job with services and no after_script: the container starts while the
// services boot, behind a gate that step_script opens once they are ready. Jobs with after_script
// keep the exec path, with their first user stage's exec started behind the same gate.
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

describe.skipIf(skip)('DockerExecutor short paths: start mode, gated start, gated exec', () => {
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

  it('starts a job with services behind a gate: step_script runs as PID 1 only once the services are ready', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'] });
    // The service writes its marker into the shared builds dir, then listens: readiness comes after the marker.
    const job = makeJob(jobSpec({
      image: { name: 'busybox:latest', pullPolicy: [] },
      services: [service('busybox:latest', { command: ['sh', '-c', 'sleep 1; echo up > /builds/group/project/service-marker; nc -ll -p 7000 -e true'], variables: [healthcheckPort('7000')] })],
    }));
    const sink = collector();
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, sink, signal);
      expect(objects('container', job.runId)).toEqual(['running', 'running']);
      expect(objects('network', job.runId)).toHaveLength(1);
      const paths = executor.jobPaths(job);
      expect(await executor.run(job, { stage: 'prepare_script', script: generatePrepareScript({ shell: 'bash', paths }) }, sink, signal)).toEqual({ exitCode: 0 });
      // A runner's pre_get_sources_script runs before the gate opens: it execs into the container.
      const hook = generateScript({ shell: 'bash', stage: 'get_sources', commands: ['echo "hook in $(pwd)"'], variables: job.variables, paths, traceSections: false, workingDir: '/builds' });
      expect(await executor.run(job, { stage: 'get_sources', script: hook }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toContain('hook in /builds\n');
      const stage = (commands: string[]) => generateScript({ shell: 'bash', stage: 'step_script', commands, variables: job.variables, paths, traceSections: false });
      expect(await executor.run(job, { stage: 'step_script', script: stage(['echo "pid=$$"', 'cat /builds/group/project/service-marker', 'exit 3']) }, sink, signal)).toEqual({ exitCode: 3 });
      expect(sink.text()).toMatch(/is ready: .*\n[^]*\npid=1\n[^]*\nup\n/);
      expect(objects('container', job.runId).sort()).toEqual(['exited', 'running']);
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });

  it('a job with after_script keeps the exec path; its step_script exec waits behind the gate', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'] });
    const job = makeJob(jobSpec({
      image: { name: 'busybox:latest', pullPolicy: [] }, afterScript: ['true'],
      services: [service('busybox:latest', { command: ['sh', '-c', 'sleep 1; echo up > /builds/group/project/service-marker; nc -ll -p 7000 -e true'], variables: [healthcheckPort('7000')] })],
    }));
    const sink = collector();
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, sink, signal);
      const paths = executor.jobPaths(job);
      const stage = (name: 'step_script' | 'after_script', commands: string[]) => generateScript({ shell: 'bash', stage: name, commands, variables: job.variables, paths, traceSections: false });
      expect(await executor.run(job, { stage: 'step_script', script: stage('step_script', ['cat /builds/group/project/service-marker', '[ "$$" != 1 ] && echo not-pid-1']) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toMatch(/is ready: .*\n[^]*\nup\n[^]*\nnot-pid-1\n/);
      expect(await executor.run(job, { stage: 'after_script', script: stage('after_script', ['echo after-ran']) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toContain('after-ran\n');
      expect(objects('container', job.runId)).toEqual(['running', 'running']);
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });

  it('a job with after_script and no services has no network and no gate', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'], waitForServicesTimeout: -1 });
    const job = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, afterScript: ['true'] }));
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, collector(), signal);
      expect(objects('container', job.runId)).toEqual(['running']);
      expect(objects('network', job.runId)).toEqual([]);
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });

  it('without a readiness wait (wait_for_services_timeout = -1) the gated job container still runs its script', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'], waitForServicesTimeout: -1 });
    const job = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, services: [service('busybox:latest', { command: ['sleep', '30'] })] }));
    const sink = collector();
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, sink, signal);
      const paths = executor.jobPaths(job);
      const script = generateScript({ shell: 'bash', stage: 'step_script', commands: ['echo gated-ok'], variables: job.variables, paths, traceSections: false });
      expect(await executor.run(job, { stage: 'step_script', script }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toContain('gated-ok\n');
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });
});

function healthcheckPort(port: string) {
  return { key: 'HEALTHCHECK_TCP_PORT', value: port, public: true, masked: false, file: false, raw: false };
}
