// The CompileContext of a local checkout: ref, sha, default branch, files, last commit's changes and
// the pre-pipeline predefined variables GitLab would set, read with `git`. Outside a git repository
// it falls back to neutral values (and says so) so `drydock lint` works on a lone file.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CompileContext, PipelineSource } from '../pipeline/compiler/context.js';
import { slugify } from './slug.js';

const execFileAsync = promisify(execFile);
const ZERO_SHA = '0'.repeat(40);

export interface RepoContextOptions {
  ref?: string;
  source?: PipelineSource;
  /** User variables (--var), appended last so they win. */
  variables?: Array<{ key: string; value: string }>;
  signal?: AbortSignal;
}

export interface RepoContext extends CompileContext {
  /** Why some values are guesses (no git, no commits, no remote...). */
  warnings: string[];
}

interface GitFacts {
  ref: string;
  refType: 'branch' | 'tag';
  sha: string;
  beforeSha: string;
  defaultBranch: string;
  files: string[];
  changed: string[] | undefined;
  message: string;
  timestamp: string;
  author: string;
  remoteUrl: string | undefined;
  userName: string | undefined;
  userEmail: string | undefined;
}

export async function contextFromGitRepo(projectDir: string, opts: RepoContextOptions = {}): Promise<RepoContext> {
  const signal = opts.signal ?? new AbortController().signal;
  const warnings: string[] = [];
  const git = (args: string[]): Promise<string | undefined> =>
    execFileAsync('git', args, { cwd: projectDir, signal, maxBuffer: 64 * 1024 * 1024 })
      .then((r) => r.stdout, () => undefined);

  const facts = await readGitFacts(projectDir, opts.ref, git, warnings, signal);
  const source = opts.source ?? 'push';
  const variables = [
    ...predefinedVariables(projectDir, facts, source),
    ...(opts.variables ?? []).map((v) => ({ key: v.key, value: v.value })),
  ];
  const files = facts.files;
  const changed = facts.changed;
  return {
    ref: facts.ref,
    refType: facts.refType,
    source,
    sha: facts.sha,
    defaultBranch: facts.defaultBranch,
    variables,
    repo: { listFiles: () => files, changedFiles: () => changed },
    warnings,
  };
}

type Git = (args: string[]) => Promise<string | undefined>;

/**
 * The git facts in as few `git` processes as possible, all started at once: each spawn from a
 * large Node process blocks its event loop for several milliseconds. On a branch (the usual
 * case) that is five processes; a detached HEAD, --ref or an unborn HEAD adds a few.
 */
async function readGitFacts(projectDir: string, wantedRef: string | undefined, git: Git, warnings: string[],
  signal: AbortSignal): Promise<GitFacts> {
  const [where, headCommit, listed, config, refs] = await Promise.all([
    // Top level, then HEAD's full ref name ("HEAD" when detached); fails on an unborn HEAD.
    git(['rev-parse', '--show-toplevel', '--symbolic-full-name', 'HEAD']),
    git(['diff-tree', ...COMMIT_ARGS, 'HEAD']),
    git(['ls-files', '-z', '--cached', '--others', '--exclude-standard']),
    git(['config', '-z', '--get-regexp', '^(remote\\.origin\\.url|user\\.name|user\\.email)$']),
    git(['for-each-ref', '--format=%(refname)%00%(symref)', 'refs/remotes/origin/HEAD', 'refs/heads/main', 'refs/heads/master']),
  ]);
  let [top, headRef] = (where ?? '').split('\n').map((l) => l.trim());
  if (!top) {
    top = (await git(['rev-parse', '--show-toplevel']))?.trim();
    headRef = (await git(['symbolic-ref', '-q', 'HEAD']))?.trim();
  }
  if (!top) {
    warnings.push(`${projectDir} is not a git repository: assuming branch ${wantedRef ?? 'main'}, no commit, and the files on disk`);
    return {
      ref: wantedRef ?? 'main', refType: 'branch', sha: ZERO_SHA, beforeSha: ZERO_SHA, defaultBranch: wantedRef ?? 'main',
      files: await listDir(projectDir, signal), changed: undefined, message: '', timestamp: new Date().toISOString(),
      author: '', remoteUrl: undefined, userName: undefined, userEmail: undefined,
    };
  }
  const head = parseCommit(headCommit);
  const branch = headRef?.startsWith('refs/heads/') ? headRef.slice('refs/heads/'.length) : '';
  // A tag names the ref only when HEAD is not on a branch.
  const tag = branch ? '' : (await git(['describe', '--tags', '--exact-match', 'HEAD']))?.trim() ?? '';

  let ref = branch || tag || 'HEAD';
  let refType: 'branch' | 'tag' = !branch && tag ? 'tag' : 'branch';
  let sha = head?.sha ?? ZERO_SHA;
  let commit = head;
  if (wantedRef !== undefined) {
    ref = wantedRef;
    const [isTag, refSha] = await Promise.all([
      git(['show-ref', '--verify', '-q', `refs/tags/${wantedRef}`]),
      git(['rev-parse', '--verify', '-q', `${wantedRef}^{commit}`]),
    ]);
    refType = isTag !== undefined ? 'tag' : 'branch';
    if (refSha?.trim() && refSha.trim() !== sha) {
      sha = refSha.trim();
      commit = parseCommit(await git(['diff-tree', ...COMMIT_ARGS, sha]));
    }
  }
  if (sha === ZERO_SHA) warnings.push(`${top} has no commits yet: CI_COMMIT_SHA is all zeros`);
  if (ref === 'HEAD') warnings.push('HEAD is detached and not at a tag: using ref "HEAD" (pass --ref to choose one)');

  const defaultBranch = findDefaultBranch(refs, ref, refType);
  const settings = parseConfig(config);
  // Changed files are "unknown" for tags (GitLab treats changes as true there).
  const changed = refType === 'tag' || sha === ZERO_SHA ? undefined : (commit?.changed ?? []);
  // The commit's message, time and author are HEAD's, also with --ref.
  return {
    ref, refType, sha, beforeSha: commit?.parent || ZERO_SHA, defaultBranch, files: [...new Set(splitZ(listed))], changed,
    message: (head?.message ?? '').replace(/\n+$/, ''), timestamp: head?.timestamp.trim() ?? '',
    author: head?.author.trim() ?? '',
    remoteUrl: settings.get('remote.origin.url') || undefined, userName: settings.get('user.name') || undefined,
    userEmail: settings.get('user.email') || undefined,
  };
}

/**
 * One commit's facts and changed files in one process. Plumbing (diff-tree), so no porcelain
 * config (renames, showRoot) changes the list; --always prints the header even with no changes.
 */
const COMMIT_ARGS = ['--always', '-r', '-z', '--root', '--name-only', '--no-renames', '--format=%H%x00%P%x00%cI%x00%an <%ae>%x00%B%x00'];

interface CommitFacts { sha: string; parent: string; timestamp: string; author: string; message: string; changed: string[] }

/** Parses COMMIT_ARGS output: five NUL-ended fields, git's NUL record end, then "\n" and the paths. */
function parseCommit(out: string | undefined): CommitFacts | undefined {
  if (!out) return undefined;
  const [sha = '', parents = '', timestamp = '', author = '', message = '', , ...paths] = out.split('\0');
  if (!/^[0-9a-f]{40,64}$/.test(sha)) return undefined;
  const changed = paths.filter((p) => p !== '');
  if (changed[0]?.startsWith('\n')) changed[0] = changed[0].slice(1);
  return { sha, parent: parents.split(' ')[0] ?? '', timestamp, author, message, changed: changed.filter((p) => p !== '') };
}

/** `git config -z --get-regexp` output: `key\nvalue\0` entries; the last value of a key wins, as with --get. */
function parseConfig(out: string | undefined): Map<string, string> {
  const settings = new Map<string, string>();
  for (const entry of splitZ(out)) {
    const nl = entry.indexOf('\n');
    // git prints section and key names lower-cased; the subsection ("origin") keeps its case.
    settings.set(nl === -1 ? entry : entry.slice(0, nl), nl === -1 ? '' : entry.slice(nl + 1).trim());
  }
  return settings;
}

/** origin's HEAD, else main or master when they exist, else the ref itself when it is a branch. */
function findDefaultBranch(refs: string | undefined, ref: string, refType: string): string {
  const rows = (refs ?? '').split('\n').filter(Boolean).map((row) => row.split('\0'));
  const target = (name: string): string[] | undefined => rows.find((r) => r[0] === name);
  const origin = target('refs/remotes/origin/HEAD')?.[1];
  if (origin) return origin.replace(/^refs\/(remotes\/origin|remotes|heads)\//, '');
  for (const candidate of ['main', 'master']) if (target(`refs/heads/${candidate}`)) return candidate;
  return refType === 'branch' && ref !== 'HEAD' ? ref : 'main';
}

function splitZ(out: string | undefined): string[] {
  return (out ?? '').split('\0').filter(Boolean);
}

async function listDir(dir: string, signal: AbortSignal): Promise<string[]> {
  const skip = new Set(['.git', 'node_modules', '.drydock']);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    if (signal.aborted) return;
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (skip.has(e.name)) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

/** `git@host:group/app.git`, `https://host:8443/group/app.git` → host/port/path. */
export function parseRemote(url: string | undefined): { host: string; port?: string; path: string } | undefined {
  if (!url) return undefined;
  const scp = /^[^@/]+@([^:/]+):(.+?)(\.git)?\/?$/.exec(url);
  if (scp) return { host: scp[1]!, path: scp[2]! };
  try {
    const u = new URL(url);
    const p = u.pathname.replace(/^\/+/, '').replace(/\.git\/?$/, '').replace(/\/+$/, '');
    if (!p) return undefined;
    return { host: u.hostname, ...(u.port ? { port: u.port } : {}), path: p };
  } catch {
    return undefined;
  }
}

function predefinedVariables(projectDir: string, f: GitFacts, source: PipelineSource): Array<{ key: string; value: string }> {
  const remote = parseRemote(f.remoteUrl);
  const projectPath = remote?.path ?? `local/${slugify(path.basename(path.resolve(projectDir))) || 'project'}`;
  const segments = projectPath.split('/');
  const name = segments.at(-1) ?? 'project';
  const namespace = segments.slice(0, -1).join('/') || 'local';
  const host = remote?.host ?? 'localhost';
  const port = remote?.port ?? '443';
  const serverUrl = `https://${host}${remote?.port ? `:${remote.port}` : ''}`;
  const [title = '', ...rest] = f.message.split('\n');
  const description = title.length < 100 ? rest.join('\n').replace(/^\n+/, '') : f.message;
  const vars: Array<[string, string]> = [
    ['CI', 'true'],
    ['GITLAB_CI', 'true'],
    ['CI_SERVER_NAME', 'GitLab'],
    ['CI_SERVER_URL', serverUrl],
    ['CI_SERVER_HOST', host],
    ['CI_SERVER_PORT', port],
    ['CI_SERVER_PROTOCOL', 'https'],
    ['CI_SERVER_FQDN', remote?.port ? `${host}:${remote.port}` : host],
    ['CI_SERVER_VERSION', '18.0.0'],
    ['CI_SERVER_VERSION_MAJOR', '18'],
    ['CI_SERVER_VERSION_MINOR', '0'],
    ['CI_SERVER_VERSION_PATCH', '0'],
    ['CI_SERVER_REVISION', 'drydock'],
    ['CI_API_V4_URL', `${serverUrl}/api/v4`],
    ['CI_API_GRAPHQL_URL', `${serverUrl}/api/graphql`],
    ['CI_PROJECT_ID', '1'],
    ['CI_PROJECT_NAME', name],
    ['CI_PROJECT_TITLE', name],
    ['CI_PROJECT_PATH', projectPath],
    ['CI_PROJECT_PATH_SLUG', slugify(projectPath)],
    ['CI_PROJECT_NAMESPACE', namespace],
    ['CI_PROJECT_ROOT_NAMESPACE', segments[0] ?? namespace],
    ['CI_PROJECT_URL', `${serverUrl}/${projectPath}`],
    ['CI_PROJECT_VISIBILITY', 'private'],
    ['CI_DEFAULT_BRANCH', f.defaultBranch],
    ['CI_CONFIG_PATH', '.gitlab-ci.yml'],
    ['CI_PIPELINE_SOURCE', source],
    ['CI_PIPELINE_CREATED_AT', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')],
    ['CI_COMMIT_SHA', f.sha],
    ['CI_COMMIT_SHORT_SHA', f.sha.slice(0, 8)],
    ['CI_COMMIT_BEFORE_SHA', f.beforeSha],
    ['CI_COMMIT_REF_NAME', f.ref],
    ['CI_COMMIT_REF_SLUG', slugify(f.ref)],
    ['CI_COMMIT_REF_PROTECTED', String(f.refType === 'branch' && f.ref === f.defaultBranch)],
    [f.refType === 'tag' ? 'CI_COMMIT_TAG' : 'CI_COMMIT_BRANCH', f.ref],
    ['CI_COMMIT_MESSAGE', f.message],
    ['CI_COMMIT_TITLE', title],
    ['CI_COMMIT_DESCRIPTION', description],
    ['CI_COMMIT_TIMESTAMP', f.timestamp],
    ['CI_COMMIT_AUTHOR', f.author],
    ['GITLAB_USER_ID', '1'],
    ['GITLAB_USER_NAME', f.userName ?? 'Drydock User'],
    ['GITLAB_USER_EMAIL', f.userEmail ?? 'drydock@localhost'],
    ['GITLAB_USER_LOGIN', (f.userEmail ?? '').split('@')[0] || slugify(f.userName ?? '') || 'drydock'],
  ];
  return vars.map(([key, value]) => ({ key, value }));
}
