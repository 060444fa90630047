// Every recipe of GitLab's "Use Docker to build Docker images" guide, run through
// `drydock run --executor docker` (or the shell executor for the first one) with the guide's
// .gitlab-ci.yml and config.toml unchanged (test/e2e/fixtures-docker/<recipe>/).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { projectFromFixture, runDocker, drydock, type Project } from './fixtures-docker/_support/cli-project.js';

const skip = skipWithoutDocker();
const projects: Project[] = [];
function project(recipe: string, replace: Record<string, string> = {}): Project {
  const p = projectFromFixture(recipe, replace);
  projects.push(p);
  return p;
}

describe.skipIf(skip)('recipes of the Docker build guide', () => {
  afterEach(() => {
    for (const p of projects.splice(0)) p.dispose();
    expect(leftovers()).toEqual([]);
  });

  it('shell executor: docker info, build and run on the host engine', async () => {
    const p = project('shell-executor');
    try {
      const r = await drydock(['run', '--executor', 'shell', '--builds-dir', p.buildsDir], p.dir);
      expect(r.log).toContain('Server Version');
      expect(r.log).toContain('tests passed: Linux');
      expect(r.code).toBe(0);
    } finally {
      execFileSync('sh', ['-c', 'docker ps -aq --filter ancestor=my-docker-image | xargs -r docker rm -f; docker rmi -f my-docker-image'], { stdio: 'ignore' });
    }
  });

  it('dind with TLS, runner set up with the guide\'s register flags', async () => {
    const p = project('dind-tls');
    const r = await runDocker(p, ['--docker-image', 'docker:20.10.16', '--docker-privileged', '--docker-volumes', '/certs/client']);
    expect(r.log).toMatch(/Service docker:20\.10\.16-dind is ready: docker:2376/);
    expect(r.log).toContain('Server Version');
    expect(r.log).toContain('tests passed: Linux');
    expect(r.log).not.toContain('WARNING');
    expect(r.code).toBe(0);
  });

  it('dind with TLS, runner set up with the guide\'s config.toml', async () => {
    const p = project('dind-tls');
    const r = await runDocker(p, ['--config', join(p.dir, 'config.toml')]);
    expect(r.log).toContain('tests passed: Linux');
    expect(r.code).toBe(0);
  });

  it('runner environment (environment = ["DOCKER_DRIVER=…"] / --env) reaches the job and the dind service', async () => {
    const p = project('dind-tls');
    // vfs rather than the guide's overlay2, which is also the default and so would prove nothing.
    const r = await runDocker(p, ['--config', join(p.dir, 'config.toml'), '--env', 'DOCKER_DRIVER=vfs']);
    expect(r.log).toMatch(/Storage Driver: vfs/);
    expect(r.code).toBe(0);
  });

  it('dind without TLS on tcp://docker:2375', async () => {
    const p = project('dind-no-tls');
    const r = await runDocker(p, ['--config', join(p.dir, 'config.toml')]);
    expect(r.log).toMatch(/Service docker:20\.10\.16-dind is ready: docker:2375/);
    expect(r.log).toContain('tests passed: Linux');
    expect(r.code).toBe(0);
  });

  it('the Kubernetes variant\'s variables (DOCKER_HOST 2376, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) work too', async () => {
    const p = project('kubernetes-variables');
    const r = await runDocker(p, ['--docker-privileged', '--docker-volumes', '/certs/client']);
    expect(r.log).toContain('tests passed: Linux');
    expect(r.code).toBe(0);
  });

  it('socket binding: the job uses the host engine, unprivileged, no dind', async () => {
    const entrypoint = execFileSync('docker', ['run', '--rm', '--entrypoint', 'cat', 'docker:20.10.16', '/usr/local/bin/docker-entrypoint.sh'], { encoding: 'utf8' });
    expect(entrypoint, 'the docker:20.10.16 stand-in must leave DOCKER_HOST unset when /var/run/docker.sock is a socket, as the real image does (fix scripts/build-stand-in-images)').toContain('-S /var/run/docker.sock');
    const p = project('socket-binding');
    try {
      const r = await runDocker(p, ['--config', join(p.dir, 'config.toml')]);
      expect(r.log).toContain('Server Version');
      expect(r.log).toContain('tests passed: Linux');
      expect(r.code).toBe(0);
    } finally {
      execFileSync('sh', ['-c', 'docker ps -aq --filter ancestor=my-docker-image | xargs -r docker rm -f; docker rmi -f my-docker-image'], { stdio: 'ignore' });
    }
  });

  it('registry mirror through the service command in .gitlab-ci.yml', async () => {
    const p = project('mirror-service-command');
    const r = await runDocker(p, ['--docker-privileged', '--docker-volumes', '/certs/client']);
    expect(r.log).toMatch(/Registry Mirrors:[\s\S]{0,40}https:\/\/registry-mirror\.example\.com\//);
    expect(r.code).toBe(0);
  });

  it('registry mirror through [[runners.docker.services]] in config.toml', async () => {
    const p = project('mirror-runner-services');
    const r = await runDocker(p, ['--config', join(p.dir, 'config.toml')]);
    expect(r.log).toContain('Starting service docker:19.03.13-dind');
    expect(r.log).toMatch(/Registry Mirrors:[\s\S]{0,40}https:\/\/registry-mirror\.example\.com\//);
    expect(r.code).toBe(0);
  });

  it('registry mirror through daemon.json mounted at /etc/docker/daemon.json', async () => {
    const p = project('daemon-json');
    const config = join(p.dir, 'config.toml');
    execFileSync('sed', ['-i', `s#@DAEMON_JSON@#${join(p.dir, 'daemon.json')}#`, config]);
    const r = await runDocker(p, ['--config', config]);
    expect(r.log).toMatch(/Registry Mirrors:[\s\S]{0,40}https:\/\/registry-mirror\.example\.com\//);
    expect(r.code).toBe(0);
  });

  it('registry.hub.docker.com/library/docker:…-dind: Drydock explains "no such host" before the script', async () => {
    const p = project('no-such-host');
    const r = await runDocker(p, ['--docker-privileged', '--docker-volumes', '/certs/client']);
    const diagnosis = r.log.indexOf('No service is reachable as "docker"');
    expect(diagnosis).toBeGreaterThan(-1);
    expect(diagnosis).toBeLessThan(r.log.indexOf('$ docker info'));
    expect(r.log).toContain('registry.hub.docker.com__library__docker, registry.hub.docker.com-library-docker');
    expect(r.log).toContain('alias: docker');
    expect(r.log).toMatch(/no such host|Cannot connect|error during connect/);
    expect(r.code).toBe(1);
  });

  it('registry.hub.docker.com/library/docker:…-dind with alias: docker works', async () => {
    const p = project('no-such-host-alias');
    const r = await runDocker(p, ['--docker-privileged', '--docker-volumes', '/certs/client']);
    expect(r.log).not.toContain('No service is reachable');
    expect(r.log).toContain('Server Version');
    expect(r.code).toBe(0);
  });

  it('MOUNT_POINT under /builds/$CI_PROJECT_PATH is shared with containers the job starts in dind', async () => {
    const p = project('mount-point');
    const r = await runDocker(p, ['--docker-privileged', '--docker-volumes', '/certs/client']);
    expect(r.log).toContain('written-by-child');
    expect(r.code).toBe(0);
  });
});
