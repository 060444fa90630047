import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisterRunnerRequest, RunnerRegistrationResponse } from '../../protocol/index.js';
import { parseRunnerConfig } from '../config/load-runner-config.js';
import { parseRegisterFlags, type RawFlagValue } from './parse-register-flags.js';
import { RegisterError, registerRunner, type Prompter, type RegisterContext, type RegistrationApi } from './register-runner.js';

class FakeApi implements RegistrationApi {
  calls: string[] = [];
  registered: RegisterRunnerRequest[] = [];
  constructor(private readonly failWith?: Error) {}
  async registerRunner(req: RegisterRunnerRequest): Promise<RunnerRegistrationResponse> {
    this.calls.push('register');
    this.registered.push(req);
    if (this.failWith) throw this.failWith;
    return { id: 42, token: 'issued-token-abcdef', token_expires_at: null };
  }
  async verifyRunner(token: string): Promise<RunnerRegistrationResponse> {
    this.calls.push(`verify ${token}`);
    if (this.failWith) throw this.failWith;
    return { id: 7, token, token_expires_at: '2030-01-02T03:04:05Z' };
  }
  async unregisterRunner(token: string): Promise<void> { this.calls.push(`unregister ${token}`); }
  async unregisterRunnerManager(token: string): Promise<void> { this.calls.push(`unregister-manager ${token}`); }
}

class ScriptedPrompter implements Prompter {
  questions: string[] = [];
  constructor(private readonly answers: string[]) {}
  async ask(question: string, current: string): Promise<string | undefined> {
    this.questions.push(current ? `${question} [${current}]` : question);
    return this.answers.shift();
  }
}

function flags(argv: Record<string, string | true | string[]>) {
  const raw = new Map<string, RawFlagValue>();
  for (const [k, v] of Object.entries(argv)) raw.set(k, { values: Array.isArray(v) ? v : [v], source: 'cli' });
  const parsed = parseRegisterFlags(raw);
  expect(parsed.errors).toEqual([]);
  return parsed;
}

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'drydock-register-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function context(api: FakeApi, extra: Partial<RegisterContext> = {}): RegisterContext & { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    api: () => api, out: (l) => lines.push(l), warn: (l) => warnings.push(l), hostname: 'build-host',
    now: () => new Date('2024-05-01T10:00:00.123Z'), info: { name: 'drydock', version: '0.1.0' },
    systemId: async () => 'r_0123456789ab', signal: new AbortController().signal, lines, warnings, ...extra,
  };
}

const documentCommand = {
  'non-interactive': true as const, url: 'https://gitlab.com/', 'registration-token': 'REGISTRATION_TOKEN', executor: 'docker',
  name: 'My Docker Runner', 'docker-image': 'docker:20.10.16', 'docker-privileged': true as const, 'docker-volumes': ['/certs/client'],
};

describe('registerRunner', () => {
  it('the document\'s command writes the document\'s [[runners]] entry with the issued token', async () => {
    const configPath = path.join(dir, 'doc', 'config.toml');
    const api = new FakeApi();
    const ctx = context(api);
    const parsed = flags(documentCommand);
    const outcome = await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, ctx);
    expect(outcome).toEqual({ id: 42, token: 'issued-token-abcdef', name: 'My Docker Runner', executor: 'docker' });
    expect(api.registered[0]).toMatchObject({
      token: 'REGISTRATION_TOKEN', description: 'My Docker Runner', tag_list: [], run_untagged: true, locked: true, paused: false,
    });
    const text = await readFile(configPath, 'utf8');
    expect(text).toBe([
      'concurrent = 1', 'check_interval = 0', '', '[session_server]', '  session_timeout = 1800', '',
      '[[runners]]', '  name = "My Docker Runner"', '  url = "https://gitlab.com/"', '  id = 42', '  token = "issued-token-abcdef"',
      '  token_obtained_at = 2024-05-01T10:00:00Z', '  executor = "docker"',
      '  [runners.docker]', '    image = "docker:20.10.16"', '    privileged = true', '    volumes = ["/certs/client", "/cache"]',
      '  [runners.cache]', '    [runners.cache.s3]', '    [runners.cache.gcs]', '',
    ].join('\n'));
    const runner = parseRunnerConfig(text, configPath).config?.runners[0];
    expect(runner?.docker).toMatchObject({ tls_verify: false, disable_cache: false, privileged: true, image: 'docker:20.10.16' });
    expect(ctx.lines.at(-2)).toContain('Runner registered successfully');
  });

  it('appends to an existing file, keeping the other runner and its comments', async () => {
    const configPath = path.join(dir, 'existing.toml');
    const before = 'concurrent = 4\n\n# the shell runner\n[[runners]]\n  name = "old"\n  url = "https://x/"\n  token = "t"\n  executor = "shell"\n';
    await writeFile(configPath, before);
    const parsed = flags({ ...documentCommand, limit: '9' });
    const ctx = context(new FakeApi());
    await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, ctx);
    const text = await readFile(configPath, 'utf8');
    expect(text.startsWith(before.trimEnd())).toBe(true);
    expect(parseRunnerConfig(text, configPath).config?.runners.map((r) => r.name)).toEqual(['old', 'My Docker Runner']);
    expect(ctx.warnings.join('\n')).toContain('Specified limit (9) larger than the current concurrent limit (4)');
  });

  it('with -n, missing values are errors before any request', async () => {
    const api = new FakeApi();
    const parsed = flags({ 'non-interactive': true, executor: 'docker' });
    const run = registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath: path.join(dir, 'none.toml') }, context(api));
    await expect(run).rejects.toThrow(RegisterError);
    await expect(registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath: path.join(dir, 'none.toml') }, context(api)))
      .rejects.toThrow(/The url needs to be entered: pass --url URL[\s\S]*The registration-token needs to be entered[\s\S]*The docker-image needs to be entered/);
    expect(api.calls).toEqual([]);
  });

  it('refuses to extend a broken config.toml, before registering', async () => {
    const configPath = path.join(dir, 'broken.toml');
    await writeFile(configPath, 'concurrent = "two"\n');
    const api = new FakeApi();
    const parsed = flags(documentCommand);
    await expect(registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, context(api))).rejects.toThrow(/broken\.toml:1.*concurrent/);
    expect(api.calls).toEqual([]);
    expect(await readFile(configPath, 'utf8')).toBe('concurrent = "two"\n');
  });

  it('a glrt- token is only verified, and refuses the legacy server-side flags', async () => {
    const api = new FakeApi();
    const bad = flags({ 'non-interactive': true, url: 'https://gitlab.com/', token: 'glrt-t1_abcdefghijk', executor: 'shell', 'tag-list': 'a,b', locked: 'false' });
    await expect(registerRunner({ settings: bad.settings, entry: bad.entry, configPath: path.join(dir, 'glrt.toml') }, context(api)))
      .rejects.toThrow('--locked, --tag-list cannot be used with a runner authentication token');
    expect(api.calls).toEqual([]);

    const ok = flags({ 'non-interactive': true, url: 'https://gitlab.com/', token: 'glrt-t1_abcdefghijk', executor: 'shell', name: 'ci-1' });
    const configPath = path.join(dir, 'glrt.toml');
    const ctx = context(api);
    await registerRunner({ settings: ok.settings, entry: ok.entry, configPath }, ctx);
    expect(api.calls).toEqual(['verify glrt-t1_abcdefghijk']);
    expect(ctx.lines[0]).toMatch(/^Verifying runner\.\.\. is valid +runner=abcdefghi$/);
    const runner = parseRunnerConfig(await readFile(configPath, 'utf8'), configPath).config?.runners[0];
    expect(runner).toMatchObject({ name: 'ci-1', id: 7, token: 'glrt-t1_abcdefghijk', executor: 'shell' });
    expect(runner?.token_expires_at).toEqual(new Date('2030-01-02T03:04:05Z'));
    expect(runner?.docker).toBeUndefined();
  });

  it('a glrt- token given as --registration-token takes the legacy-compatible path with a warning', async () => {
    const api = new FakeApi();
    const parsed = flags({ 'non-interactive': true, url: 'https://gitlab.com/', 'registration-token': 'glrt-xyz123456789', executor: 'shell', 'tag-list': 'a' });
    const ctx = context(api);
    await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath: path.join(dir, 'compat.toml') }, ctx);
    expect(api.calls).toEqual(['verify glrt-xyz123456789']);
    expect(ctx.warnings.join('\n')).toContain("'legacy-compatible registration process'");
  });

  it('asks gitlab-runner\'s questions interactively, re-asking for an invalid executor', async () => {
    const api = new FakeApi();
    const prompter = new ScriptedPrompter(['http://127.0.0.1:9/', 'REG', '', 'docker, linux', '', 'ssh', 'docker', 'alpine:3.12']);
    const parsed = flags({});
    const configPath = path.join(dir, 'interactive.toml');
    const ctx = context(api, { prompter });
    await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, ctx);
    expect(prompter.questions).toEqual([
      'Enter the GitLab instance URL (for example, https://gitlab.com/):',
      'Enter the registration token:',
      'Enter a description for the runner: [build-host]',
      'Enter tags for the runner (comma-separated):',
      'Enter optional maintenance note for the runner:',
      'Enter an executor: shell, docker, kubernetes:',
      'Enter an executor: shell, docker, kubernetes:',
      'Enter the default Docker image (for example, ruby:3.3):',
    ]);
    expect(ctx.warnings.join('\n')).toContain('Invalid executor specified: "ssh"');
    expect(api.registered[0]).toMatchObject({ description: 'build-host', tag_list: ['docker', 'linux'], run_untagged: false });
    const runner = parseRunnerConfig(await readFile(configPath, 'utf8'), configPath).config?.runners[0];
    expect(runner).toMatchObject({ name: 'build-host', url: 'http://127.0.0.1:9/', executor: 'docker', docker: { image: 'alpine:3.12', volumes: ['/cache'] } });
  });

  it('unregisters again when a later step fails, unless --leave-runner', async () => {
    const api = new FakeApi();
    const configPath = path.join(dir, 'half.toml');
    const parsed = flags({ url: 'https://gitlab.com/', 'registration-token': 'REG', name: 'n', 'tag-list': 't', 'maintenance-note': 'm' });
    // Input ends at the executor question: the runner exists on the server by then.
    await expect(registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, context(api, { prompter: new ScriptedPrompter(['', '', '', '', '']) })))
      .rejects.toThrow('input ended while asking for the executor');
    expect(api.calls).toEqual(['register', 'unregister issued-token-abcdef']);

    const leave = flags({ url: 'https://gitlab.com/', 'registration-token': 'REG', 'leave-runner': true });
    const api2 = new FakeApi();
    await expect(registerRunner({ settings: leave.settings, entry: leave.entry, configPath }, context(api2, { prompter: new ScriptedPrompter(['', '', '', '', '', '']) })))
      .rejects.toThrow(RegisterError);
    expect(api2.calls).toEqual(['register']);
  });

  it('merges --template-config where the flags leave values empty; flags win', async () => {
    const parsed = flags({ ...documentCommand, 'docker-image': 'alpine:latest' });
    const template = {
      executor: 'kubernetes', limit: 3, environment: ['A=1'],
      docker: { image: 'from-template', network_mode: 'host', services: [{ name: 'docker:dind', alias: 'docker' }] },
    };
    const configPath = path.join(dir, 'template.toml');
    await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, context(new FakeApi(), { template }));
    const runner = parseRunnerConfig(await readFile(configPath, 'utf8'), configPath).config?.runners[0];
    expect(runner).toMatchObject({ executor: 'docker', limit: 3, environment: ['A=1'] });
    expect(runner?.docker).toMatchObject({ image: 'alpine:latest', network_mode: 'host', services: [{ name: 'docker:dind', alias: 'docker' }] });
  });

  it('a kubernetes runner keeps only [runners.kubernetes]', async () => {
    const parsed = flags({ 'non-interactive': true, url: 'https://gitlab.com/', 'registration-token': 'R', executor: 'kubernetes',
      'kubernetes-namespace': 'ci', 'kubernetes-privileged': true, 'docker-image': 'ignored:1' });
    const configPath = path.join(dir, 'k8s.toml');
    await registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, context(new FakeApi()));
    const runner = parseRunnerConfig(await readFile(configPath, 'utf8'), configPath).config?.runners[0];
    expect(runner?.kubernetes).toMatchObject({ namespace: 'ci', privileged: true });
    expect(runner?.docker).toBeUndefined();
  });

  it('passes the server\'s error through and leaves config.toml untouched', async () => {
    const configPath = path.join(dir, 'rejected.toml');
    const parsed = flags(documentCommand);
    const api = new FakeApi(new Error('the registration token is not valid'));
    await expect(registerRunner({ settings: parsed.settings, entry: parsed.entry, configPath }, context(api))).rejects.toThrow('the registration token is not valid');
    await expect(readFile(configPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
