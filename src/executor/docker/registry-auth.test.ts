import { describe, it, expect } from 'vitest';
import { findCredentials, normalizeCredentialKey, parseDockerConfig, registryPath } from './registry-auth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('registryPath', () => {
  it.each([
    ['busybox', 'docker.io/busybox'],
    ['library/busybox:1', 'docker.io/library/busybox'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox'],
    ['Registry.Example.com/a/b:1', 'registry.example.com/a/b'],
    ['localhost:5000/app:1', 'localhost:5000/app'],
    ['localhost/app', 'localhost/app'],
  ])('%s → %s', (image, path) => expect(registryPath(image)).toBe(path));
});

describe('normalizeCredentialKey', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['https://Registry.example.com/v2/', 'registry.example.com'],
    ['registry.example.com/group/image:tag', 'registry.example.com/group/image'],
    ['localhost:5000', 'localhost:5000'],
  ])('%s → %s', (key, norm) => expect(normalizeCredentialKey(key)).toBe(norm));
});

describe('findCredentials', () => {
  const env = { name: '$DOCKER_AUTH_CONFIG', config: { auths: {
    'registry.example.com': { auth: b64('ci:secret') },
    'registry.example.com/team/app': { username: 'team', password: 'pw' },
  } } };
  const file = { name: '/root/.docker/config.json', config: { auths: { 'registry.example.com': { auth: b64('file:x') }, 'https://index.docker.io/v1/': { auth: b64('hub:h') } } } };

  it('the longest registry path wins', () => {
    expect(findCredentials('registry.example.com/team/app:1', [env])).toMatchObject({ username: 'team', password: 'pw' });
    expect(findCredentials('registry.example.com/other:1', [env])).toMatchObject({ username: 'ci', password: 'secret', source: '$DOCKER_AUTH_CONFIG' });
  });
  it('DOCKER_AUTH_CONFIG comes before the config file', () => {
    expect(findCredentials('registry.example.com/x', [env, file])).toMatchObject({ source: '$DOCKER_AUTH_CONFIG' });
    expect(findCredentials('busybox', [env, file])).toMatchObject({ source: '/root/.docker/config.json', username: 'hub', serverAddress: 'https://index.docker.io/v1/' });
  });
  it('registry ports must match', () => {
    const s = { name: 's', config: { auths: { 'localhost:5000': { auth: b64('u:p') } } } };
    expect(findCredentials('localhost:5000/app', [s])).toMatchObject({ username: 'u' });
    expect(findCredentials('localhost:5001/app', [s])).toBeUndefined();
  });
  it('credHelpers and credsStore name the helper', () => {
    const s = { name: 'f', config: { credHelpers: { 'ecr.example.com': 'ecr-login' } } };
    expect(findCredentials('ecr.example.com/app', [s])).toMatchObject({ kind: 'helper', helper: 'ecr-login' });
    expect(findCredentials('busybox', [{ name: 'g', config: { credsStore: 'desktop' } }])).toMatchObject({ kind: 'helper', helper: 'desktop' });
  });
  it('reports invalid JSON with the source name', () => {
    expect(() => parseDockerConfig('{nope', '$DOCKER_AUTH_CONFIG')).toThrow('$DOCKER_AUTH_CONFIG is not valid JSON');
  });
});
