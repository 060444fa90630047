import { describe, it, expect } from 'vitest';
import { aliasProblem, assignServiceAliases, derivedAliases, parseImageReference, pullableImageName, serviceName } from './service-aliases.js';

describe('derivedAliases (GitLab services test table)', () => {
  it.each([
    ['postgres:14', ['postgres']],
    ['postgres', ['postgres']],
    ['docker:24-dind', ['docker']],
    ['docker:20.10.16-dind', ['docker']],
    ['tutum/wordpress:latest', ['tutum__wordpress', 'tutum-wordpress']],
    ['library/postgres', ['library__postgres', 'library-postgres']],
    ['registry.example.com:4999/valkey/valkey', ['registry.example.com__valkey__valkey', 'registry.example.com-valkey-valkey']],
    ['registry.example.com:4999/valkey/valkey:7', ['registry.example.com__valkey__valkey', 'registry.example.com-valkey-valkey']],
    [`domain.tld/ns/svc@sha256:${'a'.repeat(64)}`, ['domain.tld__ns__svc', 'domain.tld-ns-svc']],
    ['registry.hub.docker.com/library/docker:20.10.16-dind', ['registry.hub.docker.com__library__docker', 'registry.hub.docker.com-library-docker']],
    ['localhost:5000/app', ['localhost__app', 'localhost-app']],
  ])('%s → %j', (image, expected) => {
    expect(derivedAliases(image)).toEqual(expected);
  });
});

describe('image references', () => {
  it.each([
    ['busybox', { repository: 'busybox' }],
    ['busybox:1.36', { repository: 'busybox', tag: '1.36' }],
    ['host:5000/a/b', { repository: 'host:5000/a/b' }],
    ['host:5000/a/b:v1', { repository: 'host:5000/a/b', tag: 'v1' }],
    ['a@sha256:abc', { repository: 'a', digest: 'sha256:abc' }],
  ])('%s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });
  it('adds :latest only without tag or digest', () => {
    expect(pullableImageName('busybox')).toBe('busybox:latest');
    expect(pullableImageName('host:5000/x')).toBe('host:5000/x:latest');
    expect(pullableImageName('busybox:1')).toBe('busybox:1');
    expect(pullableImageName('a@sha256:abc')).toBe('a@sha256:abc');
  });
  it('strips only the registry port', () => {
    expect(serviceName('host:5000/x:tag')).toBe('host/x');
  });
});

describe('assignServiceAliases', () => {
  it('appends user aliases after derived ones', () => {
    const [a] = assignServiceAliases([{ image: 'registry.hub.docker.com/library/docker:20.10.16-dind', userAliases: ['docker'] }]);
    expect(a?.aliases).toEqual(['registry.hub.docker.com__library__docker', 'registry.hub.docker.com-library-docker', 'docker']);
  });
  it('first service to claim an alias wins; later ones are skipped with GitLab wording', () => {
    const r = assignServiceAliases([
      { image: 'mysql:latest', userAliases: ['db1'] },
      { image: 'mysql:latest', userAliases: ['db2'] },
    ]);
    expect(r[0]?.aliases).toEqual(['mysql', 'db1']);
    expect(r[1]?.aliases).toEqual(['db2']);
    expect(r[1]?.warnings[0]).toBe('Skipping alias "mysql" for service "mysql:latest" (services[1]): alias is already in use by another service.');
  });
  it('a service whose aliases are all taken is not started', () => {
    const r = assignServiceAliases([{ image: 'redis', userAliases: [] }, { image: 'redis:7', userAliases: [] }]);
    expect(r[1]?.aliases).toEqual([]);
    expect(r[1]?.warnings.at(-1)).toContain('is not started');
  });
  it('the job container alias build is reserved', () => {
    const r = assignServiceAliases([{ image: 'postgres', userAliases: ['build', 'db'] }]);
    expect(r[0]?.aliases).toEqual(['postgres', 'db']);
  });
});

describe('aliasProblem', () => {
  it.each(['docker', 'my-db', 'tutum__wordpress', 'a.b.c', 'x1'])('%s is valid', (a) => {
    expect(aliasProblem(a)).toBeUndefined();
  });
  it.each(['my db', 'db!', '-db', 'db-', '', 'a/b', 'x'.repeat(64)])('%j is invalid', (a) => {
    expect(aliasProblem(a)).toBeDefined();
  });
});
