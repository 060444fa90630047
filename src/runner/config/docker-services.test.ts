import { describe, expect, it } from 'vitest';
import { FRAGMENTS, fillPlaceholders } from '../../../test/unit/runner-config/document-examples.js';
import { normalizeDockerServices, splitAliases } from './docker-services.js';
import { parseEnvironment } from './environment-entry.js';
import { parseRunnerConfig } from './load-runner-config.js';

describe('normalizeDockerServices', () => {
  it('turns the guide\'s registry-mirror service into a plain list', () => {
    const services = parseRunnerConfig(fillPlaceholders(FRAGMENTS.dockerServiceMirror), 'c').config?.runners[0]?.docker?.services ?? [];
    expect(normalizeDockerServices(services)).toEqual({
      services: [
        {
          name: 'docker:19.03.13-dind',
          aliases: [],
          command: ['--registry-mirror', 'https://registry-mirror.example.com'],
          entrypoint: [],
          variables: [],
        },
      ],
      errors: [],
    });
  });

  it('splits aliases and KEY=value environment (value may hold "=" or be empty)', () => {
    const { services, errors } = normalizeDockerServices([
      {
        name: 'docker:20.10.16-dind',
        alias: 'docker, dind  docker-host',
        entrypoint: ['dockerd-entrypoint.sh'],
        environment: ['DOCKER_TLS_CERTDIR=/certs', 'OPTS=a=b', 'EMPTY='],
      },
    ]);
    expect(errors).toEqual([]);
    expect(services[0]?.aliases).toEqual(['docker', 'dind', 'docker-host']);
    expect(services[0]?.entrypoint).toEqual(['dockerd-entrypoint.sh']);
    expect(services[0]?.variables).toEqual([
      { key: 'DOCKER_TLS_CERTDIR', value: '/certs' },
      { key: 'OPTS', value: 'a=b' },
      { key: 'EMPTY', value: '' },
    ]);
  });

  it('reports entries without "=" and services without an image, keeping the rest', () => {
    const { services, errors } = normalizeDockerServices([
      { name: 'postgres:16', environment: ['POSTGRES_PASSWORD', 'A=1', '=x'] },
      { name: ' ' },
    ]);
    expect(services).toHaveLength(1);
    expect(services[0]?.variables).toEqual([{ key: 'A', value: '1' }]);
    expect(errors).toEqual([
      { index: 0, message: '[[runners.docker.services]] #1 environment[0]: "POSTGRES_PASSWORD" has no "=" (write it as KEY=value)' },
      { index: 0, message: '[[runners.docker.services]] #1 environment[2]: "=x" has an empty variable name (write it as KEY=value)' },
      { index: 1, message: '[[runners.docker.services]] #2: name is empty (set name = "docker:24-dind" or another image)' },
    ]);
  });
});

describe('splitAliases and parseEnvironment', () => {
  it('split on spaces and commas like common.Service.Aliases', () => {
    expect(splitAliases('')).toEqual([]);
    expect(splitAliases(' a,b ,, c ')).toEqual(['a', 'b', 'c']);
  });

  it('parse a [[runners]] environment list', () => {
    expect(parseEnvironment(['DOCKER_DRIVER=overlay2', 'BAD'])).toEqual({
      variables: [{ key: 'DOCKER_DRIVER', value: 'overlay2' }],
      errors: [{ index: 1, message: '"BAD" has no "=" (write it as KEY=value)' }],
    });
  });
});
