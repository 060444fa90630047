import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerRegistrationResponse } from '../../protocol/index.js';
import { listRunners, unregisterRunners, verifyRunners, type ManageContext } from './manage-runners.js';
import type { RegistrationApi } from './register-runner.js';

/** Answers per token: 'ok', a status to fail with, or 0 for "no answer". */
class FakeApi implements RegistrationApi {
  calls: string[] = [];
  constructor(private readonly answers: Record<string, 'ok' | number>) {}
  private answer(what: string, token: string): void {
    this.calls.push(`${what} ${token}`);
    const a = this.answers[token] ?? 'ok';
    if (a !== 'ok') throw Object.assign(new Error(a === 0 ? 'cannot reach the server: connection refused' : `HTTP ${a}`), { status: a });
  }
  async registerRunner(): Promise<RunnerRegistrationResponse> { throw new Error('not used'); }
  async verifyRunner(token: string): Promise<RunnerRegistrationResponse> { this.answer('verify', token); return { id: 1, token, token_expires_at: null }; }
  async unregisterRunner(token: string): Promise<void> { this.answer('delete', token); }
  async unregisterRunnerManager(token: string): Promise<void> { this.answer('delete-manager', token); }
}

const CONFIG = `concurrent = 2
# keep me
[[runners]]
  name = "a"
  url = "https://x/"
  token = "tok-a-1234567"
  executor = "shell"
[[runners]]
  name = "b"
  url = "https://x/"
  token = "tok-b-1234567"
  executor = "docker"
  [runners.docker]
    image = "alpine"
[[runners]]
  name = "c"
  url = "https://x/"
  token = "glrt-t1_tokc12345"
  executor = "shell"
`;

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'drydock-manage-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function setup(name: string, api: FakeApi) {
  const file = path.join(dir, `${name}.toml`);
  await writeFile(file, CONFIG);
  const out: string[] = [];
  const warn: string[] = [];
  const ctx: ManageContext = { api: () => api, out: (l) => out.push(l), warn: (l) => warn.push(l), systemId: async () => 'r_000000000000', signal: new AbortController().signal };
  return { file, out, warn, ctx };
}

describe('verifyRunners', () => {
  it('keeps entries the server could not be asked about, even with --delete', async () => {
    const api = new FakeApi({ 'tok-a-1234567': 0, 'tok-b-1234567': 403 });
    const { file, warn, ctx } = await setup('verify', api);
    expect(await verifyRunners(file, { delete: true }, ctx)).toBe(1);
    expect(warn.join('\n')).toMatch(/Verifying runner\.\.\. failed +runner=tok-a-123: cannot reach/);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('name = "a"');
    expect(text).not.toContain('name = "b"');
    expect(text).toContain('# keep me');
  });

  it('--name picks one runner; an unknown name is an error', async () => {
    const api = new FakeApi({});
    const { file, ctx } = await setup('verify-name', api);
    expect(await verifyRunners(file, { name: 'c', delete: false }, ctx)).toBe(0);
    expect(api.calls).toEqual(['verify glrt-t1_tokc12345']);
    await expect(verifyRunners(file, { name: 'zzz', delete: false }, ctx)).rejects.toThrow('No runner matches');
  });
});

describe('unregisterRunners', () => {
  it('deletes legacy runners, only the manager of glrt- runners, and keeps what failed', async () => {
    const api = new FakeApi({ 'tok-b-1234567': 500 });
    const { file, warn, ctx } = await setup('unregister', api);
    expect(await unregisterRunners(file, { allRunners: true }, ctx)).toBe(1);
    expect(api.calls).toEqual(['delete tok-a-1234567', 'delete tok-b-1234567', 'delete-manager glrt-t1_tokc12345']);
    expect(warn.join('\n')).toContain('Failed to unregister b: HTTP 500');
    const text = await readFile(file, 'utf8');
    // (removeRunner drops the file's final newline along with the last entry: cosmetic, src/runner/config's.)
    expect(text.trimEnd()).toBe(`concurrent = 2\n# keep me\n[[runners]]\n  name = "b"\n  url = "https://x/"\n  token = "tok-b-1234567"\n  executor = "docker"\n  [runners.docker]\n    image = "alpine"`);
  });

  it('needs to be told which runner', async () => {
    const { file, ctx } = await setup('unregister-none', new FakeApi({}));
    await expect(unregisterRunners(file, { allRunners: false }, ctx)).rejects.toThrow('--name NAME, --url URL --token TOKEN, or --all-runners');
  });
});

describe('listRunners', () => {
  it('prints name, executor, a short token and the URL', async () => {
    const { file, out, ctx } = await setup('list', new FakeApi({}));
    await listRunners(file, ctx);
    expect(out[0]).toMatch(/^Listing configured runners +ConfigFile=/);
    expect(out.slice(1).map((l) => l.replace(/ +/g, ' '))).toEqual([
      'a Executor=shell Token=tok-a-123... URL=https://x/',
      'b Executor=docker Token=tok-b-123... URL=https://x/',
      'c Executor=shell Token=tokc12345... URL=https://x/',
    ]);
  });
});
