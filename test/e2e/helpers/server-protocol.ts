// Git and runner-protocol helpers shared by the coordinator tests (server-kit, which runs the server
// in-process) and the crash tests (server-durability-kit, which only drives the built CLI): nothing
// here imports the server's source.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export async function git(cwd: string, args: string[]): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
  return (await execFileAsync('git', args, { cwd, env })).stdout;
}

/** A fresh working copy with `files` committed on main. */
export async function workingCopy(files: Record<string, string>, message = 'initial commit'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drydock-wc-'));
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await commitFiles(dir, files, message);
  return dir;
}

export async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '--quiet', '-m', message]);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

export function authedUrl(base: string, user: string, token: string, fullPath: string): string {
  const u = new URL(`${base}/${fullPath}.git`);
  u.username = user;
  u.password = token;
  return u.toString();
}

/** gitlab-runner's job request body. */
export function jobRequestBody(token: string, extra: Record<string, unknown> = {}) {
  return {
    token, system_id: 's_0123456789ab',
    info: { name: 'gitlab-runner', version: '17.0.0', revision: 'abcdef12', platform: 'linux', architecture: 'amd64', executor: 'docker',
      features: { variables: true, image: true, services: true, artifacts: true, cache: true, trace_checksum: true, cancel_gracefully: true } },
    ...extra,
  };
}
