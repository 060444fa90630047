import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addDockerOptions, dockerExecutorOptionsFrom, runnerSettingsFromOptions } from './docker-options.js';

function parse(argv: string[]): Record<string, unknown> {
  const cmd = addDockerOptions(new Command('run').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

function config(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'drydock-docker-options-')), 'config.toml');
  writeFileSync(path, text);
  return path;
}

describe('docker options', () => {
  it('maps the guide\'s register flags', async () => {
    const o = await dockerExecutorOptionsFrom(parse(['--docker-image', 'docker:20.10.16', '--docker-privileged', '--docker-volumes', '/certs/client', '--docker-volumes', '/cache']));
    expect(o).toMatchObject({ defaultImage: 'docker:20.10.16', privileged: true, volumes: ['/certs/client', '/cache'], defaultPullPolicy: ['if-not-present'] });
    expect(o.pullPolicy).toBeUndefined();
  });

  it('reads [runners.docker] and [[runners.docker.services]] from config.toml; flags add to it', async () => {
    const path = config(`[[runners]]
  name = "shell"
  executor = "shell"
[[runners]]
  name = "dind"
  executor = "docker"
  environment = ["DOCKER_DRIVER=overlay2"]
  pre_build_script = "echo from-runner"
  [runners.docker]
    image = "alpine:3.12"
    privileged = true
    volumes = ["/certs/client"]
    wait_for_services_timeout = -1
    [[runners.docker.services]]
      name = "docker:19.03.13-dind"
      command = ["--registry-mirror", "https://registry-mirror.example.com"]
`);
    const opts = parse(['--config', path, '--docker-volumes', '/cache', '--env', 'EXTRA=1']);
    const o = await dockerExecutorOptionsFrom(opts);
    expect(o).toMatchObject({
      defaultImage: 'alpine:3.12', privileged: true, volumes: ['/certs/client', '/cache'], waitForServicesTimeout: -1,
      services: [{ name: 'docker:19.03.13-dind', aliases: [], command: ['--registry-mirror', 'https://registry-mirror.example.com'] }],
    });
    expect(o.pullPolicy).toBeUndefined();
    expect(await runnerSettingsFromOptions(opts)).toEqual({
      environment: [{ key: 'DOCKER_DRIVER', value: 'overlay2' }, { key: 'EXTRA', value: '1' }],
      hooks: { preBuildScript: 'echo from-runner' },
    });
  });

  it('honours an explicit pull_policy and the --docker-pull-policy flag', async () => {
    const path = config('[[runners]]\n  executor = "docker"\n  [runners.docker]\n    pull_policy = ["always", "if-not-present"]\n');
    expect((await dockerExecutorOptionsFrom(parse(['--config', path]))).pullPolicy).toEqual(['always', 'if-not-present']);
    expect((await dockerExecutorOptionsFrom(parse(['--config', path, '--docker-pull-policy', 'never']))).pullPolicy).toEqual(['never']);
  });

  it('says which entries exist when no docker runner is found', async () => {
    const path = config('[[runners]]\n  name = "a"\n  executor = "shell"\n');
    await expect(dockerExecutorOptionsFrom(parse(['--config', path]))).rejects.toThrow('no [[runners]] entry with executor = "docker"; entries: "a" (shell)');
    await expect(dockerExecutorOptionsFrom(parse(['--config', path, '--runner', 'b']))).rejects.toThrow('no [[runners]] entry named "b"');
  });

  it('rejects bad flag values', () => {
    expect(() => parse(['--docker-pull-policy', 'sometimes'])).toThrow();
    expect(() => parse(['--env', 'NOEQUALS'])).toThrow();
    expect(() => parse(['--wait-for-services-timeout', '-5'])).toThrow();
  });
});
