// Bare repositories under <data>/repos/<namespace>/<name>.git, read and written with the git CLI.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const ZERO_SHA = '0'.repeat(40);

export interface CommitInfo {
  message: string;
  timestamp: string;
  authorName: string;
  authorEmail: string;
}

export class GitRepos {
  private readonly commits = new Map<string, CommitInfo>();

  constructor(readonly root: string) {}

  dirOf(fullPath: string): string {
    return path.join(this.root, `${fullPath}.git`);
  }

  async create(fullPath: string, defaultBranch: string, signal: AbortSignal): Promise<void> {
    const dir = this.dirOf(fullPath);
    await mkdir(path.dirname(dir), { recursive: true });
    await this.git(null, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, dir], signal);
    // Pushes over HTTP need receive-pack; users are authenticated by the server before git runs.
    await this.git(dir, ['config', 'http.receivepack', 'true'], signal);
    // A push git acknowledged must survive a crash, like every other 2xx of the server.
    await this.git(dir, ['config', 'core.fsync', 'committed'], signal);
  }

  /** refname → sha of every branch and tag. */
  async refs(fullPath: string, signal: AbortSignal): Promise<Map<string, string>> {
    const out = await this.git(this.dirOf(fullPath), ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags'], signal);
    const refs = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha, name] = line.split(' ');
      if (sha && name) refs.set(name, sha);
    }
    return refs;
  }

  /** A file's text at `sha`, or undefined when it does not exist there. */
  async readFile(fullPath: string, sha: string, file: string, signal: AbortSignal): Promise<string | undefined> {
    return this.git(this.dirOf(fullPath), ['show', `${sha}:${file}`], signal).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return undefined;
    });
  }

  async listFiles(fullPath: string, sha: string, signal: AbortSignal): Promise<string[]> {
    const out = await this.git(this.dirOf(fullPath), ['ls-tree', '-r', '--name-only', '-z', sha], signal);
    return out.split('\0').filter((f) => f !== '');
  }

  /** Files changed between two commits; undefined when `before` is unknown (new ref). */
  async changedFiles(fullPath: string, before: string, after: string, signal: AbortSignal): Promise<string[] | undefined> {
    if (before === ZERO_SHA) return undefined;
    const out = await this.git(this.dirOf(fullPath), ['diff', '--name-only', '-z', before, after], signal).catch(() => undefined);
    return out === undefined ? undefined : out.split('\0').filter((f) => f !== '');
  }

  async commitInfo(fullPath: string, sha: string, signal: AbortSignal): Promise<CommitInfo> {
    // A commit never changes: every job of a pipeline asks for the same one, so keep the last few
    // instead of spawning git per job assignment.
    const key = `${fullPath}\0${sha}`;
    const known = this.commits.get(key);
    if (known) return known;
    const out = await this.git(this.dirOf(fullPath), ['log', '-1', '--format=%cI%x00%an%x00%ae%x00%B', sha], signal);
    const [timestamp = '', authorName = '', authorEmail = '', message = ''] = out.split('\0');
    const info = { timestamp: timestamp.trim(), authorName, authorEmail, message: message.replace(/\n+$/, '') };
    if (this.commits.size >= 256) this.commits.delete(this.commits.keys().next().value ?? key);
    this.commits.set(key, info);
    return info;
  }

  /** Points `ref` (e.g. refs/pipelines/7) at `sha`, so runners can fetch exactly the pipeline's commit. */
  async updateRef(fullPath: string, ref: string, sha: string, signal: AbortSignal): Promise<void> {
    await this.git(this.dirOf(fullPath), ['update-ref', ref, sha], signal);
  }

  private async git(cwd: string | null, args: string[], signal: AbortSignal): Promise<string> {
    const r = await execFileAsync('git', args, { ...(cwd ? { cwd } : {}), signal, maxBuffer: 64 * 1024 * 1024, env: gitEnv() });
    return r.stdout;
  }
}

/** The server's environment without GIT_DIR-like variables a caller might have set. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return env;
}
