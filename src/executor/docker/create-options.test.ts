import { describe, it, expect } from 'vitest';
import { buildContainerOptions, buildsBinds, jobEnv, portsToProbe, serviceContainerOptions, serviceEnv } from './create-options.js';

const v = (key: string, value: string, extra: Partial<{ masked: boolean; file: boolean; public: boolean }> = {}) => ({ key, value, masked: false, file: false, raw: false, ...extra });
const jv = (key: string, value: string) => ({ key, value, public: true, masked: false, file: false, raw: false });

const base = { name: 'n', image: 'docker:20.10.16', labels: { a: 'b' }, env: ['A=1'], binds: ['/h:/builds/g/p'], privileged: true, network: 'net', networkAliases: ['build'] };

describe('jobEnv / serviceEnv', () => {
  it('later variables win; file variables are left to the script', () => {
    expect(jobEnv([v('A', '1'), v('B', '2'), v('A', '3'), v('F', 'content', { file: true })])).toEqual(['B=2', 'A=3']);
  });
  it('services get job variables without the token or masked ones, then their own', () => {
    const env = serviceEnv([v('CI_JOB_TOKEN', 't'), v('SECRET', 's', { masked: true }), v('DOCKER_TLS_CERTDIR', '/certs'), v('X', '1')], [jv('X', '2'), jv('HEALTHCHECK_TCP_PORT', '5000')]);
    expect(env).toEqual(['DOCKER_TLS_CERTDIR=/certs', 'X=2', 'HEALTHCHECK_TCP_PORT=5000']);
  });
  it('services never get non-public variables (project, pipeline, dotenv), even unmasked ones', () => {
    expect(serviceEnv([v('PROJECT_VAR', 'p', { public: false }), v('YAML_VAR', 'y', { public: true }), v('CI_PROJECT_DIR', '/builds/g/p')], [])).toEqual(['YAML_VAR=y', 'CI_PROJECT_DIR=/builds/g/p']);
  });
});

describe('buildContainerOptions', () => {
  it('keeps the image ENTRYPOINT unless overridden and attaches stdin once per start', () => {
    const o = buildContainerOptions({ ...base, cmd: ['sh', '-c', 'detect'], hostname: 'h' });
    expect(o).not.toHaveProperty('Entrypoint');
    expect(o).toMatchObject({ Cmd: ['sh', '-c', 'detect'], OpenStdin: true, StdinOnce: true, Tty: false, Hostname: 'h', Env: ['A=1'] });
    expect(o.HostConfig).toMatchObject({ Privileged: true, NetworkMode: 'net', Binds: ['/h:/builds/g/p'] });
    expect(o.NetworkingConfig?.EndpointsConfig?.net?.Aliases).toEqual(['build']);
  });
  it('a job without services sits on the default bridge, where Docker allows no aliases', () => {
    const o = buildContainerOptions({ ...base, cmd: [], hostname: 'h', network: 'bridge', networkAliases: [] });
    expect(o.HostConfig?.NetworkMode).toBe('bridge');
    expect(o.NetworkingConfig).toEqual({});
  });
  it('an image:entrypoint override replaces it; [""] clears it', () => {
    expect(buildContainerOptions({ ...base, cmd: [], hostname: 'h', entrypoint: [''] }).Entrypoint).toEqual(['']);
    expect(buildContainerOptions({ ...base, cmd: [], hostname: 'h', entrypoint: ['/bin/sh', '-c'] }).Entrypoint).toEqual(['/bin/sh', '-c']);
  });
});

describe('serviceContainerOptions', () => {
  it('passes command as Cmd and keeps the image CMD otherwise', () => {
    expect(serviceContainerOptions({ ...base, cmd: ['--registry-mirror', 'https://m'] }).Cmd).toEqual(['--registry-mirror', 'https://m']);
    expect(serviceContainerOptions(base)).not.toHaveProperty('Cmd');
  });
});

describe('portsToProbe', () => {
  it.each([
    [['A=1'], [2376, 2375], { ports: [2375, 2376], from: 'exposed ports' }],
    [['healthcheck_tcp_port=5000'], [2375], { ports: [5000], from: 'HEALTHCHECK_TCP_PORT' }],
    [[], [], { ports: [], from: 'exposed ports' }],
    [[], Array.from({ length: 25 }, (_, i) => 100 + i), { ports: Array.from({ length: 20 }, (_, i) => 100 + i), from: 'exposed ports' }],
  ])('%j %j', (env, exposed, expected) => {
    expect(portsToProbe(env, exposed)).toEqual(expected);
  });
});

describe('buildsBinds', () => {
  const paths = { buildsDir: '/builds', projectDir: '/builds/group/app', tmpDir: '/builds/group/app.tmp' };
  it('binds the host builds dir at /builds when the layouts match', () => {
    expect(buildsBinds({ hostProjectDir: '/h/builds/0/group/app', hostTmpDir: '/h/builds/0/group/app.tmp', projectPath: 'group/app' }, paths)).toEqual(['/h/builds/0:/builds']);
  });
  it('binds project and tmp dirs one by one otherwise', () => {
    expect(buildsBinds({ hostProjectDir: '/h/x', hostTmpDir: '/h/y', projectPath: 'group/app' }, paths)).toEqual(['/h/x:/builds/group/app', '/h/y:/builds/group/app.tmp']);
  });
});
