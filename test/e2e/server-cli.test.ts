// `drydock server` and `drydock project create` through the real CLI: first start prints and
// writes the credentials, a project can be created and cloned, SIGINT shuts down cleanly (exit 0).
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { authedUrl, git } from './server-kit.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('drydock server (CLI)', () => {
  it('starts, creates credentials, serves project create, and stops on SIGINT', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'drydock-cli-server-'));
    dirs.push(data);
    let child: ChildProcess | undefined;
    let resolveUrl: (url: string) => void = () => {};
    const urlSeen = new Promise<string>((resolve) => { resolveUrl = resolve; });
    let out = '';
    const server = runCli(['server', '--data', data, '--port', '0', '--log-level', 'silent'], {
      cwd: data,
      timeoutMs: 60_000,
      onStart: (c) => { child = c; },
      onStdout: (chunk) => {
        out += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] && /runner registration token: +\S+/.test(out)) resolveUrl(m[1]);
      },
    });
    const url = await urlSeen;
    const creds = JSON.parse(await readFile(path.join(data, 'initial-credentials.json'), 'utf8'));
    expect(out).toContain(creds.admin_token);
    expect(out).toContain(creds.runner_registration_token);
    expect((await stat(path.join(data, 'initial-credentials.json'))).mode & 0o777).toBe(0o600);

    const created = await runCli(['project', 'create', 'grp/cli-app', '--url', url, '--data', data], { cwd: data });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`${url}/grp/cli-app.git`);
    const again = await runCli(['project', 'create', 'grp/cli-app', '--url', url, '--data', data], { cwd: data });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has already been taken');
    const bad = await runCli(['project', 'create', 'no-slash', '--url', url, '--data', data], { cwd: data });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected GROUP/NAME');

    await expect(git(data, ['ls-remote', authedUrl(url, 'root', creds.admin_token, 'grp/cli-app')])).resolves.toBe('');

    child?.kill('SIGINT');
    const result = await server;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shutting down');
  });

  it('refuses a bad port with exit code 2', async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'drydock-cli-server-'));
    dirs.push(data);
    const r = await runCli(['server', '--data', data, '--port', 'abc'], { cwd: data });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port abc');
  });
});
