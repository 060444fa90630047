// get_sources of a runner job, as gitlab-runner's bash shell does it (shells/abstract.go writeRefspecFetchCmd):
// `git init` once per builds dir, `origin` pointed at git_info.repo_url (job token inside), a fetch
// of git_info.refspecs (depth GIT_DEPTH), then a forced checkout of the sha and `git clean`.
// GIT_STRATEGY clone starts from an empty dir, fetch reuses it, none/empty do not touch git.
import { execFile } from 'node:child_process';
import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { applyGitStrategy } from '../../runtime/workspace/git-strategy.js';

const execFileAsync = promisify(execFile);

export interface FetchSourcesOptions {
  targetDir: string;
  /** URL with credentials (gitlab-ci-token:<job token>@...). Never logged. */
  repoUrl: string;
  sha: string;
  refName: string;
  refspecs: readonly string[];
  depth: number;
  /** GIT_STRATEGY; '' means fetch when the project allows it, else clone. */
  strategy: string;
  allowFetch: boolean;
  checkout: boolean;
  /** GIT_CLEAN_FLAGS: '' → -ffdx, 'none' → no clean. */
  cleanFlags: string;
  /** GIT_FETCH_EXTRA_FLAGS: '' → --prune --quiet, 'none' → nothing. */
  fetchExtraFlags: string;
  /** GIT_SUBMODULE_STRATEGY: none (default), normal, recursive. */
  submoduleStrategy: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export class SourcesError extends Error {
  override readonly name = 'SourcesError';
}

export async function fetchSources(o: FetchSourcesOptions): Promise<void> {
  const strategy = await applyGitStrategy(o.strategy === '' ? (o.allowFetch ? 'fetch' : 'clone') : o.strategy, o.targetDir, o.log, (m) => new SourcesError(m));
  if (strategy === undefined) return;
  const depthNote = o.depth > 0 ? ` with git depth set to ${o.depth}` : '';
  o.log(`Fetching changes${depthNote}...`);
  const reuse = strategy === 'fetch' && (await isDir(path.join(o.targetDir, '.git')));
  if (!reuse) {
    await rm(o.targetDir, { recursive: true, force: true });
    await mkdir(o.targetDir, { recursive: true });
    await git(['init', '-q', o.targetDir], o);
    o.log(`Initialized empty Git repository in ${o.targetDir}/.git/`);
    o.log('Created fresh repository.');
  } else {
    o.log(`Reinitialized existing Git repository in ${o.targetDir}/.git/`);
    await rm(path.join(o.targetDir, '.git', 'index.lock'), { force: true });
    await rm(path.join(o.targetDir, '.git', 'shallow.lock'), { force: true });
  }
  // `origin` is (re)set every time: the URL carries this job's token.
  await git(['remote', 'remove', 'origin'], o).catch(() => undefined);
  await git(['remote', 'add', 'origin', o.repoUrl], o);
  const refspecs = o.refspecs.length > 0 ? [...o.refspecs] : ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'];
  const extra = o.fetchExtraFlags === '' ? ['--prune', '--quiet'] : o.fetchExtraFlags === 'none' ? [] : o.fetchExtraFlags.split(/\s+/).filter(Boolean);
  // A full fetch into a checkout that an earlier job cloned shallow must deepen it first.
  const wasShallow = reuse && (await exists(path.join(o.targetDir, '.git', 'shallow')));
  const depthArgs = o.depth > 0 ? ['--depth', String(o.depth)] : wasShallow ? ['--unshallow'] : [];
  await git(['fetch', ...extra, ...depthArgs, 'origin', ...refspecs], o);

  if (!o.checkout) {
    o.log('Skipping Git checkout');
  } else {
    o.log(`Checking out ${o.sha.slice(0, 8)} as detached HEAD (ref is ${o.refName})...`);
    try {
      await git(['-c', 'advice.detachedHead=false', 'checkout', '-f', '-q', o.sha], o);
    } catch (err) {
      const shallow = o.depth > 0 ? ` (the commit may be older than GIT_DEPTH=${o.depth}; raise GIT_DEPTH or set it to 0)` : '';
      throw new SourcesError(`${(err as Error).message}${shallow}`);
    }
    if (o.cleanFlags !== 'none') await git(['clean', ...(o.cleanFlags === '' ? ['-ffdx'] : o.cleanFlags.split(/\s+/).filter(Boolean))], o);
  }
  await submodules(o);
}

async function submodules(o: FetchSourcesOptions): Promise<void> {
  const s = o.submoduleStrategy === '' ? 'none' : o.submoduleStrategy;
  if (s === 'none') {
    o.log('Skipping Git submodules setup');
    return;
  }
  if (s !== 'normal' && s !== 'recursive') throw new SourcesError(`unknown GIT_SUBMODULE_STRATEGY "${s}": use none, normal or recursive`);
  o.log(`Updating/initializing submodules${s === 'recursive' ? ' recursively' : ''}...`);
  const rec = s === 'recursive' ? ['--recursive'] : [];
  await git(['submodule', 'sync', ...rec], o);
  await git(['submodule', 'update', '--init', ...rec], o);
}

async function git(args: string[], o: Pick<FetchSourcesOptions, 'targetDir' | 'signal' | 'repoUrl'>): Promise<void> {
  try {
    await execFileAsync('git', args, {
      cwd: args[0] === 'init' ? undefined : o.targetDir,
      signal: o.signal,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_ASKPASS: 'true' },
    });
  } catch (err) {
    if (o.signal.aborted) throw err;
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr ?? '').trim() || e.message;
    // The URL carries the job token: never let it into an error message.
    const command = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? '';
    throw new SourcesError(`git ${command} failed: ${hideCredentials(detail, o.repoUrl)}`);
  }
}

function hideCredentials(text: string, url: string): string {
  let out = text.split(url).join(redact(url));
  out = out.replace(/(https?:\/\/)[^@\s/]+@/g, '$1[MASKED]@');
  return out;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]+@/, '//[MASKED]@');
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

async function isDir(p: string): Promise<boolean> {
  return lstat(p).then((s) => s.isDirectory(), () => false);
}
