// `drydock runner register | verify | list | unregister` through the real CLI against a real drydock
// server: the document's register command, env-var registration, interactive registration over stdin,
// bad token / unreachable server / bad flags, and unregister/verify --delete on both sides.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, type CliResult } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './server-kit.js';

let server: TestServer;
let dir: string;
let config: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'drydock-runner-register-'));
  config = path.join(dir, 'etc', 'config.toml');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const runner = (args: string[], env: Record<string, string> = {}) => runCli(['runner', ...args], { cwd: dir, env, timeoutMs: 60_000 });

/** The CLI with answers on standard input (runCli closes stdin); `onStdout` may keep stdin open and signal. */
function runWithInput(args: string[], input: string, onStdout?: (all: string, child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; onStdout?.(stdout, child); });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out\n${stdout}\n${stderr}`)); }, 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    if (onStdout) child.stdin.write(input);
    else child.stdin.end(input);
  });
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

interface Entry { name: string; url: string; id: number; token: string; executor: string; docker?: Record<string, unknown>; cache?: Record<string, unknown> }
const entries = async (): Promise<Entry[]> => (parse(await readFile(config, 'utf8')) as { runners?: Entry[] }).runners ?? [];
const verifyOnServer = (token: string) => server.api('POST', '/api/v4/runners/verify', { token });

describe('drydock runner register (real CLI, real server)', () => {
  it('the document\'s command registers and writes the document\'s entry with the issued token', async () => {
    const r = await runner(['register', '-n', '--url', server.url, '--registration-token', server.registrationToken, '--executor', 'docker',
      '--description', 'My Docker Runner', '--docker-image', 'docker:20.10.16', '--docker-privileged', '--docker-volumes', '/certs/client', '-c', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Runner registered successfully');
    expect(r.stdout).toContain(`Configuration (with the authentication token) was saved in "${config}"`);

    const [entry] = await entries();
    expect(entry).toMatchObject({ name: 'My Docker Runner', url: server.url, executor: 'docker',
      docker: { image: 'docker:20.10.16', privileged: true, volumes: ['/certs/client', '/cache'] }, cache: { s3: {}, gcs: {} } });
    const text = await readFile(config, 'utf8');
    expect(text).toMatch(/^concurrent = 1\ncheck_interval = 0\n/);
    expect(text).toContain('  [runners.docker]\n    image = "docker:20.10.16"\n    privileged = true\n    volumes = ["/certs/client", "/cache"]\n  [runners.cache]\n    [runners.cache.s3]\n    [runners.cache.gcs]\n');
    // The token is the one the server issued for this runner.
    const check = await verifyOnServer(entry!.token);
    expect(check.status).toBe(200);
    expect(check.json.id).toBe(entry!.id);
  });

  it('verify and list read config.toml', async () => {
    const v = await runner(['verify', '-c', config]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/Verifying runner\.\.\. is valid +runner=\S+/);

    const l = await runner(['list', '--config', config]);
    expect(l.code).toBe(0);
    const [entry] = await entries();
    expect(l.stdout).toContain(`ConfigFile=${config}`);
    expect(l.stdout).toMatch(new RegExp(`My Docker Runner +Executor=docker Token=\\S+\\.\\.\\. URL=${server.url.replace(/[.]/g, '\\.')}`));
    expect(l.stdout).not.toContain(entry!.token);
  });

  it('registers from environment variables, like gitlab-runner', async () => {
    const r = await runner(['register', '-c', config], {
      REGISTER_NON_INTERACTIVE: 'true', CI_SERVER_URL: server.url, REGISTRATION_TOKEN: server.registrationToken,
      RUNNER_EXECUTOR: 'shell', RUNNER_NAME: 'env-runner', RUNNER_TAG_LIST: 'shell,linux',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await entries()).map((e) => [e.name, e.executor])).toEqual([['My Docker Runner', 'docker'], ['env-runner', 'shell']]);
  });

  it('a bad registration token: exit 1, a clear message, config.toml untouched', async () => {
    const before = await readFile(config, 'utf8');
    const r = await runner(['register', '-n', '--url', server.url, '-r', 'not-the-token', '--executor', 'shell', '-c', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('drydock runner register: the registration token is not valid');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(await readFile(config, 'utf8')).toBe(before);
  });

  it('an unreachable server: exit 1 naming the URL and the reason', async () => {
    const closed = await closedPort();
    const r = await runner(['register', '-n', '--url', `http://127.0.0.1:${closed}`, '-r', 'x', '--executor', 'shell', '-c', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${closed}`);
    expect(r.stderr).toContain('connection refused');
  });

  it('missing values with -n exit 1; impossible flag values exit 2 naming the flag', async () => {
    const missing = await runner(['register', '-n', '--executor', 'docker', '-c', config]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('The url needs to be entered: pass --url URL');
    expect(missing.stderr).toContain('The docker-image needs to be entered');

    const bad = await runner(['register', '-n', '--url', server.url, '-r', 'x', '--executor', 'ssh', '--docker-privileged=maybe', '-c', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--executor: expected shell, docker or kubernetes, got "ssh"');
    expect(bad.stderr).toContain('--docker-privileged: expected true or false, got "maybe"');
  });

  it('registers interactively, answering gitlab-runner\'s questions on stdin', async () => {
    const answers = [server.url, server.registrationToken, 'typed-runner', 'docker,linux', '', 'docker', 'alpine:3.12'].join('\n');
    const r = await runWithInput(['runner', 'register', '-c', config], `${answers}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const q of ['Enter the GitLab instance URL (for example, https://gitlab.com/):', 'Enter the registration token:',
      'Enter a description for the runner:', 'Enter tags for the runner (comma-separated):', 'Enter an executor: shell, docker, kubernetes:',
      'Enter the default Docker image (for example, ruby:3.3):']) {
      expect(r.stdout).toContain(q);
    }
    const typed = (await entries()).find((e) => e.name === 'typed-runner');
    expect(typed).toMatchObject({ executor: 'docker', docker: { image: 'alpine:3.12', volumes: ['/cache'] } });
    expect((await verifyOnServer(typed!.token)).status).toBe(200);
  });

  it('input ending mid-way fails clearly and removes the half-registered runner from the server', async () => {
    const before = await readFile(config, 'utf8');
    const r = await runWithInput(['runner', 'register', '-c', config], `${server.url}\n${server.registrationToken}\nhalf\n\n\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('input ended while asking for the executor');
    expect(r.stderr).toContain('removed from the server again');
    expect(await readFile(config, 'utf8')).toBe(before);
  });

  it('Ctrl-C at a prompt after registering stops at once and removes the runner from the server', async () => {
    const before = await readFile(config, 'utf8');
    let sent = false;
    const r = await runWithInput(['runner', 'register', '-c', config], `${server.url}\n${server.registrationToken}\nctrl-c\n\n\n`, (out, child) => {
      if (!sent && out.includes('Enter an executor')) { sent = true; child.kill('SIGINT'); }
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('drydock runner register: interrupted');
    expect(r.stderr).toContain('removed from the server again');
    expect(await readFile(config, 'utf8')).toBe(before);
  });

  it('unregister removes the runner on the server and in config.toml', async () => {
    const doc = (await entries()).find((e) => e.name === 'My Docker Runner')!;
    const r = await runner(['unregister', '--name', 'My Docker Runner', '-c', config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Unregistering runner from GitLab succeeded +runner=\S+/);
    expect(r.stdout).toContain(`Updated ${config}`);
    expect((await verifyOnServer(doc.token)).status).toBe(403);
    expect((await entries()).map((e) => e.name)).toEqual(['env-runner', 'typed-runner']);

    const unknown = await runner(['unregister', '--name', 'nope', '-c', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no runner named "nope"');
  });

  it('verify reports runners the server forgot; --delete removes them from config.toml', async () => {
    const env = (await entries()).find((e) => e.name === 'env-runner')!;
    expect((await server.api('DELETE', '/api/v4/runners', { token: env.token })).status).toBe(204);

    const v = await runner(['verify', '-c', config]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/Verifying runner\.\.\. is removed +runner=/);
    expect(v.stderr).toContain('--delete');
    expect((await entries()).map((e) => e.name)).toEqual(['env-runner', 'typed-runner']);

    const d = await runner(['verify', '--delete', '-c', config]);
    expect(d.code).toBe(0);
    expect((await entries()).map((e) => e.name)).toEqual(['typed-runner']);
  });

  it('a runner created on the server (glrt-) is verified, not registered; unregister removes only this machine', async () => {
    const created = await server.admin('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'ui-runner', tag_list: 'a' });
    expect(created.status).toBe(201);
    const glrt = created.json.token as string;
    const refused = await runner(['register', '-n', '--url', server.url, '--token', glrt, '--executor', 'shell', '--tag-list', 'x', '-c', config]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--tag-list cannot be used with a runner authentication token (glrt-)');

    const r = await runner(['register', '-n', '--url', server.url, '--token', glrt, '--executor', 'shell', '--name', 'from-ui', '-c', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Verifying runner\.\.\. is valid +runner=/);
    const entry = (await entries()).find((e) => e.name === 'from-ui');
    expect(entry).toMatchObject({ token: glrt, id: created.json.id, executor: 'shell' });

    const u = await runner(['unregister', '--url', server.url, '--token', glrt, '-c', config]);
    expect(u.code).toBe(0);
    expect((await entries()).some((e) => e.name === 'from-ui')).toBe(false);
    // Only the runner manager goes: the runner itself stays on the server, as with gitlab-runner.
    expect((await verifyOnServer(glrt)).status).toBe(200);
  });

  it('unregister --all-runners empties config.toml (a runner already gone on the server is removed too)', async () => {
    await writeFile(config, `${await readFile(config, 'utf8')}\n[[runners]]\n  name = "ghost"\n  url = "${server.url}"\n  token = "unknown-token"\n  executor = "shell"\n`);
    const r = await runner(['unregister', '--all-runners', '-c', config]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('already unknown to the server');
    expect(await entries()).toEqual([]);
  });
});
