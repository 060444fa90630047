import { describe, expect, it } from 'vitest';
import { parseRegisterFlags, rawFromEnv, type RawFlagValue } from './parse-register-flags.js';
import { REGISTER_FLAGS } from './register-flags.js';

const cli = (entries: Record<string, Array<string | true>>) =>
  new Map<string, RawFlagValue>(Object.entries(entries).map(([k, values]) => [k, { values, source: 'cli' }]));

describe('parseRegisterFlags', () => {
  it('maps flags to settings and to the entry\'s tables', () => {
    const { settings, entry, errors } = parseRegisterFlags(cli({
      'non-interactive': [true], 'run-untagged': ['false'], 'maximum-timeout': ['3600'], 'access-level': ['ref_protected'],
      url: ['https://gitlab.com/'], 'docker-privileged': [true], 'docker-volumes': ['/certs/client', '/var/run/docker.sock:/var/run/docker.sock'],
      'docker-pull-policy': ['if-not-present', 'always'], 'docker-services': ['docker:dind'], env: ['A=1', 'B=2'],
      'cache-type': ['s3'], 'cache-shared': ['true'], 'cache-s3-bucket-name': ['b'], 'cache-s3-insecure': [true],
      'kubernetes-namespace': ['ci'], 'docker-tlsverify': ['false'],
    }));
    expect(errors).toEqual([]);
    expect(settings).toMatchObject({ nonInteractive: true, runUntagged: false, maximumTimeout: 3600, accessLevel: 'ref_protected' });
    expect(entry).toEqual({
      url: 'https://gitlab.com/', environment: ['A=1', 'B=2'],
      docker: {
        tls_verify: false, privileged: true, volumes: ['/certs/client', '/var/run/docker.sock:/var/run/docker.sock'],
        pull_policy: ['if-not-present', 'always'], services: [{ name: 'docker:dind' }],
      },
      kubernetes: { namespace: 'ci' },
      cache: { Type: 's3', Shared: true, s3: { BucketName: 'b', Insecure: true } },
    });
  });

  it('names the flag (or the variable) of every bad value', () => {
    const raw = cli({ 'docker-privileged': ['yes please'], limit: ['many'], executor: ['ssh'], 'docker-pull-policy': ['sometimes'] });
    raw.set('access-level', { values: ['public'], source: 'env' });
    const { errors } = parseRegisterFlags(raw);
    expect(errors).toEqual([
      'REGISTER_ACCESS_LEVEL (environment): expected not_protected or ref_protected, got "public"',
      '--executor: expected shell, docker or kubernetes, got "ssh"',
      '--limit: expected a whole number, got "many"',
      '--docker-privileged: expected true or false, got "yes please"',
      '--docker-pull-policy: expected always, if-not-present or never, got "sometimes"',
    ]);
  });

  it('reads environment variables, lists comma-separated', () => {
    const flag = (long: string) => REGISTER_FLAGS.find((f) => f.long === long)!;
    const env = { DOCKER_VOLUMES: '/a, /b', DOCKER_PRIVILEGED: 'true', RUNNER_NAME: '' };
    expect(rawFromEnv(flag('docker-volumes'), env)).toEqual({ values: ['/a', '/b'], source: 'env' });
    expect(rawFromEnv(flag('docker-privileged'), env)).toEqual({ values: ['true'], source: 'env' });
    expect(rawFromEnv(flag('name'), env)).toBeUndefined();
  });

  it('every flag name and variable is unique', () => {
    const longs = REGISTER_FLAGS.flatMap((f) => [f.long, ...(f.aliases ?? [])]);
    expect(new Set(longs).size).toBe(longs.length);
    const envs = REGISTER_FLAGS.flatMap((f) => (f.env ? [f.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
  });
});
