import { describe, it, expect } from 'vitest';
import { diagnoseDockerHost, isDindImage } from './docker-host-diagnosis.js';

const dind = (over: Partial<{ image: string; aliases: string[]; openPort: number }> = {}) => ({
  image: 'docker:20.10.16-dind', aliases: ['docker'], exposedTcpPorts: [2375, 2376], openPort: 2376, ...over,
});

describe('diagnoseDockerHost', () => {
  it('is quiet for the TLS recipe', () => {
    expect(diagnoseDockerHost({ tlsCertDir: '/certs', services: [dind()], volumeTargets: ['/certs/client'] })).toEqual([]);
  });
  it('is quiet for the no-TLS recipe', () => {
    expect(diagnoseDockerHost({ dockerHost: 'tcp://docker:2375', tlsCertDir: '', services: [dind({ openPort: 2375 })], volumeTargets: [], dockerHostPortOpen: true })).toEqual([]);
  });
  it('explains "no such host" for a registry-prefixed dind image', () => {
    const [p] = diagnoseDockerHost({ tlsCertDir: '/certs', services: [dind({ image: 'registry.hub.docker.com/library/docker:20.10.16-dind', aliases: ['registry.hub.docker.com__library__docker', 'registry.hub.docker.com-library-docker'] })], volumeTargets: ['/certs/client'] });
    expect(p).toContain('No service is reachable as "docker"');
    expect(p).toContain('registry.hub.docker.com__library__docker');
    expect(p).toContain('alias: docker');
  });
  it('explains "Cannot connect … 2375" when dind serves TLS on 2376', () => {
    const [p] = diagnoseDockerHost({ dockerHost: 'tcp://docker:2375', services: [dind()], volumeTargets: ['/certs/client'], dockerHostPortOpen: false });
    expect(p).toContain('accepts connections on port 2376, not 2375');
    expect(p).toContain('Cannot connect to the Docker daemon at tcp://docker:2375');
    expect(p).toContain('DOCKER_TLS_CERTDIR: ""');
  });
  it('warns when TLS certificates are not shared', () => {
    const [p] = diagnoseDockerHost({ tlsCertDir: '/certs', services: [dind()], volumeTargets: ['/cache'] });
    expect(p).toContain('no volume shares /certs/client');
  });
  it('ignores jobs without dind', () => {
    expect(diagnoseDockerHost({ dockerHost: 'tcp://nowhere:2375', services: [{ image: 'postgres', aliases: ['postgres'], exposedTcpPorts: [5432] }], volumeTargets: [] })).toEqual([]);
  });
  it('recognises dind images', () => {
    expect(isDindImage('docker:dind', [])).toBe(true);
    expect(isDindImage('registry.hub.docker.com/library/docker:20.10.16-dind', [])).toBe(true);
    expect(isDindImage('docker:20.10.16', [])).toBe(false);
  });
});
