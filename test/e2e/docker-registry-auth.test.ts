// Registry authentication recipes: `docker login --password-stdin` and DOCKER_AUTH_CONFIG inside a
// dind job against a registry:2 service with htpasswd auth, and a private job image that the
// executor itself pulls with DOCKER_AUTH_CONFIG.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { projectFromFixture, runDocker, type Project } from './fixtures-docker/_support/cli-project.js';

const skip = skipWithoutDocker();
const USER = 'ci-user';
const PASS = 'ci-pass-123';
const authValue = (registry: string, pass = PASS) => JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${USER}:${pass}`).toString('base64') } } });

describe.skipIf(skip)('registry authentication', () => {
  let dir = '';
  const projects: Project[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drydock-registry-auth-'));
    mkdirSync(join(dir, 'auth'));
    writeFileSync(join(dir, 'auth/htpasswd'), execFileSync('htpasswd', ['-Bbn', USER, PASS]));
    // The dind daemon must accept the plain-HTTP registry service: the runner mounts daemon.json.
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'insecure-registries': ['registry:5000'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    for (const p of projects.splice(0)) p.dispose();
    expect(leftovers()).toEqual([]);
  });
  const runnerFlags = () => ['--docker-privileged', '--docker-volumes', '/certs/client', '--docker-volumes', `${join(dir, 'auth')}:/auth:ro`, '--docker-volumes', `${join(dir, 'daemon.json')}:/etc/docker/daemon.json:ro`];
  const project = (recipe: string, replace: Record<string, string> = {}) => {
    const p = projectFromFixture(recipe, replace);
    projects.push(p);
    return p;
  };

  it('docker login --password-stdin with project variables, then push', async () => {
    const p = project('registry-login');
    const r = await runDocker(p, [...runnerFlags(), '--var', 'DOCKER_REGISTRY=registry:5000', '--var', `DOCKER_REGISTRY_USER=${USER}`, '--var', `DOCKER_REGISTRY_PASS=${PASS}`]);
    expect(r.log).toContain('Login Succeeded');
    expect(r.log).toContain('tests passed: Linux');
    expect(r.log).toMatch(/latest: digest: sha256:[0-9a-f]{64}/);
    expect(r.code).toBe(0);
  });

  it('docker login with a wrong password fails the job', async () => {
    const p = project('registry-login');
    const r = await runDocker(p, [...runnerFlags(), '--var', 'DOCKER_REGISTRY=registry:5000', '--var', `DOCKER_REGISTRY_USER=${USER}`, '--var', 'DOCKER_REGISTRY_PASS=wrong']);
    expect(r.log).toMatch(/unauthorized|authentication required/i);
    expect(r.code).toBe(1);
  });

  it('DOCKER_AUTH_CONFIG written to $HOME/.docker/config.json authenticates the push', async () => {
    const p = project('docker-auth-config');
    const r = await runDocker(p, [...runnerFlags(), '--var', `DOCKER_AUTH_CONFIG=${authValue('registry:5000')}`]);
    expect(r.log).toMatch(/latest: digest: sha256:[0-9a-f]{64}/);
    expect(r.code).toBe(0);
  });

  describe('a private job image', () => {
    const name = `drydock-test-private-registry-${process.pid}`;
    let registry = '';
    let image = '';
    beforeAll(() => {
      const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
      sh(`docker run -d --name ${name} -p 127.0.0.1::5000 -v ${join(dir, 'auth')}:/auth:ro -e REGISTRY_AUTH=htpasswd -e REGISTRY_AUTH_HTPASSWD_REALM=Registry -e REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd registry:2`);
      registry = sh(`docker port ${name} 5000/tcp | head -1`);
      image = `${registry}/private/busybox:1`;
      const cfg = join(dir, 'client');
      for (let i = 0; i < 50; i++) {
        try {
          sh(`echo ${PASS} | docker --config ${cfg} login ${registry} -u ${USER} --password-stdin`);
          break;
        } catch {
          sh('sleep 0.2');
        }
      }
      sh(`docker tag busybox:latest ${image} && docker --config ${cfg} push ${image} && docker rmi ${image}`);
    });
    afterAll(() => {
      execFileSync('sh', ['-c', `docker rm -f -v ${name}; docker rmi -f ${image}`], { stdio: 'ignore' });
    });

    it('is pulled by the executor with DOCKER_AUTH_CONFIG', async () => {
      const p = project('private-job-image', { '@IMAGE@': image });
      const r = await runDocker(p, ['--var', `DOCKER_AUTH_CONFIG=${authValue(registry)}`]);
      expect(r.log).toContain('Authenticating with credentials from $DOCKER_AUTH_CONFIG');
      expect(r.log).toContain(`Pulling docker image ${image}`);
      expect(r.log).toContain('running in the private image');
      expect(r.code).toBe(0);
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    });

    it('without credentials the pull fails as image_pull_failure, naming the image and the fix', async () => {
      const p = project('private-job-image', { '@IMAGE@': image });
      const r = await runDocker(p, []);
      const log = r.log;
      expect(r.output).toContain('image_pull_failure');
      expect(log).toContain(`failed to pull image "${image}"`);
      expect(log).toMatch(/unauthorized \(.*no basic auth credentials/i);
      expect(log).toContain('Provide credentials with DOCKER_AUTH_CONFIG');
      expect(r.code).toBe(1);
    });
  });
});
