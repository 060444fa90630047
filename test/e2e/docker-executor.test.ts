// Executor-level tests against the real engine: the DockerExecutor driven by hand (prepare, one
// step_script built by generateScript, cleanup), without the CLI. One test per behaviour the
// recipes of GitLab's Docker guide rely on, plus the bad inputs that must fail clearly.
import { afterEach, describe, expect, it } from 'vitest';
import { DockerExecutor, type DockerExecutorOptions } from '../../src/executor/docker/docker-executor.js';
import { ExecutorError, type ExecutorJob, type StageResult } from '../../src/executor/executor.js';
import { generateScript } from '../../src/executor/script/generate-script.js';
import type { JobSpec } from '../../src/pipeline/spec/job-spec.js';
import { collector, jobSpec, leftovers, makeJob, service, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';

const skip = skipWithoutDocker();

interface Outcome { output: string; result?: StageResult; error?: unknown }

async function runJob(opts: DockerExecutorOptions, spec: JobSpec, vars: Record<string, string> = {}, onPrepared?: (job: ExecutorJob) => void): Promise<Outcome> {
  const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'], ...opts });
  const job = makeJob(spec, vars);
  const sink = collector();
  const signal = AbortSignal.timeout(170_000);
  try {
    await executor.prepare(job, sink, signal);
    onPrepared?.(job);
    const script = generateScript({ shell: 'bash', stage: 'step_script', commands: [...spec.beforeScript, ...spec.script], variables: job.variables, paths: executor.jobPaths(job), traceSections: false });
    const result = await executor.run(job, { stage: 'step_script', script }, sink, signal);
    return { output: sink.text(), result };
  } catch (error) {
    return { output: sink.text(), error };
  } finally {
    await executor.cleanup(job, AbortSignal.timeout(60_000));
    job.dispose();
  }
}

describe.skipIf(skip)('DockerExecutor', () => {
  afterEach(() => {
    expect(leftovers()).toEqual([]);
  });

  it('runs a script in the job image and returns its exit code', async () => {
    const ok = await runJob({}, jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, script: ['echo "hello from $CI_PROJECT_PATH"', 'pwd'] }));
    expect(ok.error).toBeUndefined();
    expect(ok.result).toEqual({ exitCode: 0 });
    expect(ok.output).toContain('hello from group/project');
    expect(ok.output).toContain('/builds/group/project');
    const fail = await runJob({}, jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] }, script: ['exit 3'] }));
    expect(fail.result).toEqual({ exitCode: 3 });
  });

  it('the entrypoint runs before every stage and files outside the builds dir survive between stages', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'] });
    const job = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [], entrypoint: ['/bin/sh', '-c', 'export FROM_ENTRYPOINT=yes; exec "$@"', 'entrypoint'] } }));
    const sink = collector();
    const signal = AbortSignal.timeout(60_000);
    try {
      await executor.prepare(job, sink, signal);
      const paths = executor.jobPaths(job);
      const stage = (commands: string[]) => generateScript({ shell: 'bash', stage: 'step_script', commands, variables: job.variables, paths, traceSections: false });
      expect(await executor.run(job, { stage: 'step_script', script: stage(['echo "ep=$FROM_ENTRYPOINT"', 'echo kept > /tmp/state']) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(await executor.run(job, { stage: 'after_script', script: stage(['echo "ep=$FROM_ENTRYPOINT again"', 'cat /tmp/state']) }, sink, signal)).toEqual({ exitCode: 0 });
      expect(sink.text()).toContain('ep=yes\n');
      expect(sink.text()).toContain('ep=yes again');
      expect(sink.text()).toContain('kept');
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });

  it('dind with TLS: /certs/client shared, the docker image entrypoint sets DOCKER_HOST', async () => {
    const r = await runJob({ privileged: true, volumes: ['/certs/client', '/cache'] }, jobSpec({
      image: { name: 'docker:20.10.16', pullPolicy: [] }, services: [service('docker:20.10.16-dind')],
      script: ['echo "host=$DOCKER_HOST"', 'docker info --format "server={{.ServerVersion}}"'],
    }), { DOCKER_TLS_CERTDIR: '/certs' });
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('host=tcp://docker:2376');
    expect(r.output).toMatch(/server=\d+\./);
    expect(r.output).not.toContain('WARNING');
    expect(r.result).toEqual({ exitCode: 0 });
  });

  it('dind without TLS on tcp://docker:2375', async () => {
    const r = await runJob({ privileged: true, volumes: ['/cache'] }, jobSpec({
      image: { name: 'docker:20.10.16', pullPolicy: [] }, services: [service('docker:20.10.16-dind')],
      script: ['docker info --format "server={{.ServerVersion}}"'],
    }), { DOCKER_HOST: 'tcp://docker:2375', DOCKER_TLS_CERTDIR: '' });
    expect(r.error).toBeUndefined();
    expect(r.output).toMatch(/server=\d+\./);
    expect(r.result).toEqual({ exitCode: 0 });
  });

  it('diagnoses DOCKER_HOST on 2375 while dind serves TLS on 2376, before the script runs', async () => {
    const r = await runJob({ privileged: true, volumes: ['/certs/client'] }, jobSpec({
      image: { name: 'docker:20.10.16', pullPolicy: [] }, services: [service('docker:20.10.16-dind')], script: ['echo SCRIPT-STARTS', 'docker info'],
    }), { DOCKER_HOST: 'tcp://docker:2375' });
    const warning = r.output.indexOf('accepts connections on port 2376, not 2375');
    expect(warning).toBeGreaterThan(-1);
    expect(warning).toBeLessThan(r.output.indexOf('SCRIPT-STARTS'));
    expect(r.output).toContain('Cannot connect to the Docker daemon at tcp://docker:2375');
    expect(r.result?.exitCode).not.toBe(0);
  });

  it('registry.hub.docker.com/library/docker dind: diagnosed without alias, works with alias: docker', async () => {
    const spec = (aliases: string[]) => jobSpec({
      image: { name: 'docker:20.10.16', pullPolicy: [] },
      services: [service('registry.hub.docker.com/library/docker:20.10.16-dind', { aliases })],
      script: ['docker info --format "server={{.ServerVersion}}"'],
    });
    const opts = { privileged: true, volumes: ['/certs/client'] };
    const bad = await runJob(opts, spec([]), { DOCKER_TLS_CERTDIR: '/certs' });
    expect(bad.output).toContain('No service is reachable as "docker"');
    expect(bad.output).toContain('registry.hub.docker.com__library__docker');
    expect(bad.result?.exitCode).not.toBe(0);
    const good = await runJob(opts, spec(['docker']), { DOCKER_TLS_CERTDIR: '/certs' });
    expect(good.output).not.toContain('No service is reachable');
    expect(good.result).toEqual({ exitCode: 0 });
  });

  it('services reach the project dir (MOUNT_POINT) and get job variables but not the job token', async () => {
    const r = await runJob({}, jobSpec({
      image: { name: 'busybox:latest', pullPolicy: [] },
      services: [service('busybox:latest', { aliases: ['peer'], command: ['sh', '-c', 'echo "token=${CI_JOB_TOKEN:-none} shared=$SHARED" > /builds/group/project/from-service; nc -lk -p 7000 -e true'], variables: [{ key: 'HEALTHCHECK_TCP_PORT', value: '7000', public: true, masked: false, file: false, raw: false }] })],
      script: ['cat from-service', 'ping -c1 -W2 peer >/dev/null && echo peer-resolves'],
    }), { CI_JOB_TOKEN: 'secret-token', SHARED: 'yes' });
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('token=none shared=yes');
    expect(r.output).toContain('peer-resolves');
  });

  it('a service that exits at once is reported with its aliases, probes and logs', async () => {
    const r = await runJob({}, jobSpec({
      image: { name: 'busybox:latest', pullPolicy: [] },
      services: [service('registry:2', { aliases: ['reg'], entrypoint: ['sh', '-c', 'echo "fatal: bad config" >&2; exit 4'] })],
      script: ['wget -q -O- http://reg:5000/v2/ || exit 7'],
    }));
    expect(r.output).toContain("*** WARNING: Service registry:2");
    expect(r.output).toContain('Aliases: registry, reg');
    expect(r.output).toContain('exited with code 4');
    expect(r.output).toContain('fatal: bad config');
    expect(r.result).toEqual({ exitCode: 7 });
  });

  it('a service with no exposed port is named in the warning', async () => {
    const r = await runJob({}, jobSpec({
      image: { name: 'busybox:latest', pullPolicy: [] }, services: [service('busybox:latest', { command: ['sleep', '60'] })], script: ['true'],
    }));
    expect(r.output).toContain('exposes no TCP port');
    expect(r.output).toContain('HEALTHCHECK_TCP_PORT');
  });

  it.each<[string, Partial<JobSpec>, DockerExecutorOptions, string, string]>([
    ['an unknown image', { image: { name: 'drydock-test/no-such-image:1', pullPolicy: [] } }, {}, 'image_pull_failure', 'failed to pull image "drydock-test/no-such-image:1"'],
    ['an invalid alias', { image: { name: 'busybox', pullPolicy: [] }, services: [service('busybox', { aliases: ['my db!'] })] }, {}, 'runner_configuration_error', 'alias "my db!" is not a valid host name'],
    ['a volume typo', { image: { name: 'busybox', pullPolicy: [] } }, { volumes: ['/certs/client:'] }, 'runner_configuration_error', 'invalid volume "/certs/client:"'],
    ['a missing host path', { image: { name: 'busybox', pullPolicy: [] } }, { volumes: ['/opt/drydock-nope/daemon.json:/etc/docker/daemon.json:ro'] }, 'runner_configuration_error', 'the host path /opt/drydock-nope/daemon.json does not exist'],
    ['no image at all', {}, {}, 'runner_configuration_error', 'no Docker image specified'],
    ['a bad pull policy', { image: { name: 'busybox', pullPolicy: ['sometimes' as never] } }, {}, 'runner_configuration_error', 'unsupported pull_policy'],
  ])('%s fails the job naming the cause', async (_what, over, opts, reason, text) => {
    const r = await runJob(opts, jobSpec({ ...over, script: ['true'] }));
    expect(r.error).toBeInstanceOf(ExecutorError);
    expect((r.error as ExecutorError).failureReason).toBe(reason);
    expect((r.error as Error).message).toContain(text);
  });

  it('an image without a shell fails naming the cause', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('sh', ['-c', 'printf "x" > /tmp/drydock-noshell-file && tar -C /tmp -c drydock-noshell-file | docker import - drydock-test/noshell:1'], { stdio: 'ignore' });
    const r = await runJob({}, jobSpec({ image: { name: 'drydock-test/noshell:1', pullPolicy: [] }, script: ['true'] }));
    execFileSync('docker', ['rmi', '-f', 'drydock-test/noshell:1'], { stdio: 'ignore' });
    expect(r.error).toBeInstanceOf(ExecutorError);
    expect((r.error as Error).message).toContain('has no shell');
  });

  it('cancel stops the running script and cleanup removes everything', async () => {
    const executor = new DockerExecutor({ defaultPullPolicy: ['if-not-present'] });
    const job = makeJob(jobSpec({ image: { name: 'busybox:latest', pullPolicy: [] } }));
    const sink = collector();
    const controller = new AbortController();
    try {
      await executor.prepare(job, sink, controller.signal);
      const script = generateScript({ shell: 'bash', stage: 'step_script', commands: ['echo started', 'sleep 60', 'echo never'], variables: job.variables, paths: executor.jobPaths(job), traceSections: false });
      const running = executor.run(job, { stage: 'step_script', script }, sink, controller.signal);
      while (!sink.text().includes('started\n')) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      const result = await running;
      expect(result.signal).toBe('SIGTERM');
      expect(result.exitCode).not.toBe(0);
      expect(sink.text()).not.toContain('never\n');
    } finally {
      await executor.cleanup(job, AbortSignal.timeout(30_000));
      job.dispose();
    }
  });
});
