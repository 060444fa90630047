// get_sources for local runs: the job's project dir becomes a clean git checkout of the pipeline's
// commit, cloned from the user's repository (never the user's checkout itself). GIT_STRATEGY works
// as in GitLab: fetch (default) reuses the slot's previous checkout and cleans it, clone starts
// afresh, none leaves the directory alone, empty empties it. GIT_DEPTH makes a shallow clone
// (through file://, since git ignores --depth for plain local paths); unset, the clone is full:
// a local clone hard-links objects, so GitLab's default of 20 would only cost time here.
// GIT_SUBMODULE_STRATEGY normal|recursive updates submodules, fetched from the user's own
// checkout of each submodule when it has the commit (no network), else from .gitmodules' URL.
// With includeUncommitted the user's uncommitted changes (tracked and untracked, not ignored)
// are laid over the checkout.
import { execFile } from 'node:child_process';
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { applyGitStrategy } from '../runtime/workspace/git-strategy.js';
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
  /** GIT_DEPTH: 0 = full history. */
  depth: number;
  submodules: SubmoduleOptions;
  includeUncommitted: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface SubmoduleOptions {
  /** GIT_SUBMODULE_STRATEGY. */
  strategy: 'none' | 'normal' | 'recursive';
  /** GIT_SUBMODULE_PATHS, space-separated pathspecs (`:(exclude)path` allowed). */
  paths: string;
  /** GIT_SUBMODULE_DEPTH (default GIT_DEPTH); 0 = full. */
  depth: number;
  /** GIT_SUBMODULE_UPDATE_FLAGS. */
  updateFlags: string;
}

export async function getSources(o: GetSourcesOptions): Promise<void> {
  const strategy = await applyGitStrategy(o.strategy === '' ? 'fetch' : o.strategy, o.targetDir, o.log, (m) => new Error(m));
  if (strategy === undefined) return;
  const reuse = strategy === 'fetch' && (await isDir(path.join(o.targetDir, '.git')));
  if (reuse) {
    o.log('Fetching changes...');
    o.log(`Reinitialized existing Git repository in ${o.targetDir}/.git/`);
  } else {
    o.log(strategy === 'clone' ? 'Cloning repository...' : 'Fetching changes...');
    o.log(`Initialized empty Git repository in ${o.targetDir}/.git/`);
  }
  if (o.depth > 0) o.log(`Fetching changes with git depth set to ${o.depth}...`);
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
  if (o.submodules.strategy === 'none' || !o.checkout) o.log('Skipping Git submodules setup');
  else {
    o.log(o.submodules.strategy === 'recursive' ? 'Updating/initializing submodules recursively...' : 'Updating/initializing submodules...');
    await updateSubmodules(o, cleanFlags);
  }
  if (o.includeUncommitted) await overlayUncommitted(o);
}

/**
 * Clone (or reuse), check out and clean in ONE child process: spawning from a large Node process
 * costs several milliseconds of blocked event loop each, so git's steps run under one `sh`.
 */
async function syncCheckout(o: GetSourcesOptions, reuse: boolean, cleanFlags: string): Promise<void> {
  const script = [
    'set -e',
    'target=$1; repo=$2; sha=$3; reuse=$4; checkout=$5; clean=$6; depth=$7',
    'co() { git -C "$target" -c advice.detachedHead=false checkout -f -q "$sha"; }',
    // A shallow fetch of one commit, as the runner fetches the pipeline's ref with --depth.
    'shallow() { git -C "$target" fetch -q --prune --force --depth "$depth" origin "$sha"; }',
    'if [ "$reuse" = 1 ]; then',
    '  if [ "$depth" -gt 0 ]; then shallow && co;',
    '  else co 2>/dev/null || { git -C "$target" fetch -q --prune --force origin "+refs/heads/*:refs/remotes/origin/*" "+refs/tags/*:refs/tags/*" && co; }; fi',
    'else',
    '  rm -rf "$target"; mkdir -p "$(dirname "$target")"',
    '  if [ "$depth" -gt 0 ]; then',
    '    git init -q "$target"; git -C "$target" remote add origin "file://$repo"; shallow',
    '  else git clone -q --no-checkout "$repo" "$target"; fi',
    '  if [ "$checkout" = 1 ]; then co; fi',
    'fi',
    'if [ "$checkout" = 1 ] && [ "$clean" != none ]; then git -C "$target" clean $clean; fi',
  ].join('\n');
  const args = [o.targetDir, o.repoDir, o.sha, reuse ? '1' : '0', o.checkout ? '1' : '0', cleanFlags, String(o.depth)];
  await run('sh', ['-c', script, 'get_sources', ...args], o.repoDir, o.signal);
}

/**
 * The runner's submodule steps (init, sync, clean, update --init, clean), in one shell. Before
 * the update each submodule's URL is pointed at the user's checkout of it when that has the
 * recorded commit, so no network is needed (relative and remote URLs would need the server).
 */
async function updateSubmodules(o: GetSourcesOptions, cleanFlags: string): Promise<void> {
  const sm = o.submodules;
  const script = [
    'set -e; set -f',
    'target=$1; repo=$2; rec=$3; depth=$4; clean=$5; flags=$6; paths=$7',
    'cd "$target"',
    'g() { git -c protocol.file.allow=always "$@"; }',
    'g submodule init -- $paths',
    'g submodule sync $rec',
    'git config -f .gitmodules --get-regexp "^submodule\\..*\\.path$" | while read -r key p; do',
    '  name=${key#submodule.}; name=${name%.path}',
    '  want=$(git ls-tree HEAD -- "$p" | awk \'{print $3}\')',
    '  if [ -n "$want" ] && [ -e "$repo/$p/.git" ] && git -C "$repo/$p" cat-file -e "$want^{commit}" 2>/dev/null; then',
    '    git config "submodule.$name.url" "file://$repo/$p"',
    '  fi',
    'done',
    'd=; if [ "$depth" -gt 0 ]; then d="--depth $depth"; fi',
    'if [ "$clean" != none ]; then g submodule foreach $rec "git clean $clean; git reset -q --hard"; fi',
    'g submodule update --init $rec $d $flags -- $paths',
    'if [ "$clean" != none ]; then g submodule foreach $rec "git clean $clean"; fi',
  ].join('\n');
  const args = [o.targetDir, o.repoDir, sm.strategy === 'recursive' ? '--recursive' : '', String(sm.depth), cleanFlags, sm.updateFlags, sm.paths];
  await run('sh', ['-c', script, 'submodules', ...args], o.repoDir, o.signal);
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
