// get_sources for local runs: the job's project dir becomes a clean git checkout of the pipeline's
// commit, cloned from the user's repository (never the user's checkout itself). GIT_STRATEGY works
// as in GitLab: fetch (default) reuses the slot's previous checkout and cleans it, clone starts
// afresh, none leaves the directory alone, empty empties it. With includeUncommitted the user's
// uncommitted changes (tracked and untracked, not ignored) are laid over the checkout.
import { execFile } from 'node:child_process';
import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyRelative } from './file-tree.js';

const execFileAsync = promisify(execFile);

export interface GetSourcesOptions {
  /** The user's repository (top level of the work tree). */
  repoDir: string;
  /** The job's project directory on the host. */
  targetDir: string;
  sha: string;
  refName: string;
  strategy: string;
  cleanFlags: string;
  checkout: boolean;
  includeUncommitted: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
}

export async function getSources(o: GetSourcesOptions): Promise<void> {
  const strategy = o.strategy === '' ? 'fetch' : o.strategy;
  if (strategy === 'none') {
    o.log('Skipping Git repository setup');
    await mkdir(o.targetDir, { recursive: true });
    return;
  }
  if (strategy === 'empty') {
    o.log('Skipping Git repository setup and creating an empty build directory');
    await rm(o.targetDir, { recursive: true, force: true });
    await mkdir(o.targetDir, { recursive: true });
    return;
  }
  if (strategy !== 'fetch' && strategy !== 'clone') {
    throw new Error(`unknown GIT_STRATEGY "${o.strategy}": use clone, fetch, none or empty`);
  }
  const reuse = strategy === 'fetch' && (await isDir(path.join(o.targetDir, '.git')));
  if (reuse) {
    o.log('Fetching changes...');
    o.log(`Reinitialized existing Git repository in ${o.targetDir}/.git/`);
  } else {
    o.log(strategy === 'clone' ? 'Cloning repository...' : 'Fetching changes...');
    o.log(`Initialized empty Git repository in ${o.targetDir}/.git/`);
  }
  if (o.checkout) o.log(`Checking out ${o.sha.slice(0, 8)} as detached HEAD (ref is ${o.refName})...`);
  const cleanFlags = o.cleanFlags === '' ? '-ffdx' : o.cleanFlags;
  try {
    await syncCheckout(o, reuse, cleanFlags);
  } catch (err) {
    if (!reuse || o.signal.aborted) throw err;
    // A damaged or foreign checkout in the slot: start over with a fresh clone.
    o.log(`Fetching into the existing checkout failed (${(err as Error).message.split('\n')[0]}); cloning afresh`);
    await syncCheckout(o, false, cleanFlags);
  }
  if (!o.checkout) o.log('Skipping Git checkout');
  o.log('Skipping Git submodules setup');
  if (o.includeUncommitted) await overlayUncommitted(o);
}

/**
 * Clone (or reuse), check out and clean in ONE child process: spawning from a large Node process
 * costs several milliseconds of blocked event loop each, so git's steps run under one `sh`.
 */
async function syncCheckout(o: GetSourcesOptions, reuse: boolean, cleanFlags: string): Promise<void> {
  const script = [
    'set -e',
    'target=$1; repo=$2; sha=$3; reuse=$4; checkout=$5; clean=$6',
    'co() { git -C "$target" -c advice.detachedHead=false checkout -f -q "$sha"; }',
    'if [ "$reuse" = 1 ]; then',
    '  co 2>/dev/null || { git -C "$target" fetch -q --prune --force origin "+refs/heads/*:refs/remotes/origin/*" "+refs/tags/*:refs/tags/*" && co; }',
    '  if [ "$checkout" = 1 ] && [ "$clean" != none ]; then git -C "$target" clean $clean; fi',
    'else',
    '  rm -rf "$target"; mkdir -p "$(dirname "$target")"',
    '  git clone -q --no-checkout "$repo" "$target"',
    '  if [ "$checkout" = 1 ]; then co; fi',
    'fi',
  ].join('\n');
  const args = [o.targetDir, o.repoDir, o.sha, reuse ? '1' : '0', o.checkout ? '1' : '0', cleanFlags];
  await run('sh', ['-c', script, 'get_sources', ...args], o.repoDir, o.signal);
}

async function overlayUncommitted(o: GetSourcesOptions): Promise<void> {
  const changed = splitZ((await git(['diff', '--name-only', '--no-renames', '-z', 'HEAD'], o.repoDir, o.signal)).stdout);
  const untracked = splitZ((await git(['ls-files', '--others', '--exclude-standard', '-z'], o.repoDir, o.signal)).stdout);
  const present: string[] = [];
  for (const f of [...changed, ...untracked]) {
    if (await exists(path.join(o.repoDir, f))) present.push(f);
    else await rm(path.join(o.targetDir, f), { force: true, recursive: true });
  }
  await copyRelative(o.repoDir, o.targetDir, present, o.signal);
  o.log(`Copied uncommitted changes: ${present.length} file(s) changed or added, ${changed.length + untracked.length - present.length} deleted`);
}

async function git(args: string[], cwd: string, signal: AbortSignal): Promise<{ stdout: string }> {
  return run('git', args, cwd, signal);
}

async function run(cmd: string, args: string[], cwd: string, signal: AbortSignal): Promise<{ stdout: string }> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { cwd, signal, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
    return { stdout };
  } catch (err) {
    if (signal.aborted) throw err;
    const e = err as { stderr?: string; message: string };
    const what = cmd === 'git' ? `git ${args.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}` : 'getting sources';
    throw new Error(`${what} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s !== '');
}

async function isDir(p: string): Promise<boolean> {
  return lstat(p).then((s) => s.isDirectory(), () => false);
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}
