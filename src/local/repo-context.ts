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

async function readGitFacts(projectDir: string, wantedRef: string | undefined, git: Git, warnings: string[],
  signal: AbortSignal): Promise<GitFacts> {
  const top = (await git(['rev-parse', '--show-toplevel']))?.trim();
  if (!top) {
    warnings.push(`${projectDir} is not a git repository: assuming branch ${wantedRef ?? 'main'}, no commit, and the files on disk`);
    return {
      ref: wantedRef ?? 'main', refType: 'branch', sha: ZERO_SHA, beforeSha: ZERO_SHA, defaultBranch: wantedRef ?? 'main',
      files: await listDir(projectDir, signal), changed: undefined, message: '', timestamp: new Date().toISOString(),
      author: '', remoteUrl: undefined, userName: undefined, userEmail: undefined,
    };
  }
  const [branch, tag, head, originHead, tracked, untracked, remoteUrl, userName, userEmail, log] = await Promise.all([
    git(['symbolic-ref', '--short', '-q', 'HEAD']),
    git(['describe', '--tags', '--exact-match', 'HEAD']),
    git(['rev-parse', '--verify', '-q', 'HEAD^{commit}']),
    git(['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD']),
    git(['ls-files', '-z']),
    git(['ls-files', '-z', '--others', '--exclude-standard']),
    git(['config', '--get', 'remote.origin.url']),
    git(['config', '--get', 'user.name']),
    git(['config', '--get', 'user.email']),
    git(['log', '-1', '--format=%cI%x00%an <%ae>%x00%B']),
  ]);

  let ref = branch?.trim() || tag?.trim() || 'HEAD';
  let refType: 'branch' | 'tag' = !branch?.trim() && tag?.trim() ? 'tag' : 'branch';
  let sha = head?.trim() || ZERO_SHA;
  if (wantedRef !== undefined) {
    ref = wantedRef;
    const isTag = (await git(['show-ref', '--verify', '-q', `refs/tags/${wantedRef}`])) !== undefined;
    refType = isTag ? 'tag' : 'branch';
    const refSha = (await git(['rev-parse', '--verify', '-q', `${wantedRef}^{commit}`]))?.trim();
    if (refSha) sha = refSha;
  }
  if (sha === ZERO_SHA) warnings.push(`${top} has no commits yet: CI_COMMIT_SHA is all zeros`);
  if (ref === 'HEAD') warnings.push('HEAD is detached and not at a tag: using ref "HEAD" (pass --ref to choose one)');

  const defaultBranch = await findDefaultBranch(originHead, ref, refType, git);
  const before = sha === ZERO_SHA ? undefined : (await git(['rev-parse', '--verify', '-q', `${sha}~1`]))?.trim();
  // Changed files are "unknown" for tags (GitLab treats changes as true there).
  const changed = refType === 'tag' || sha === ZERO_SHA ? undefined
    : splitZ(await git(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', '--root', sha]));
  const [timestamp = new Date().toISOString(), author = '', message = ''] = (log ?? '').split('\0');
  const files = [...new Set([...splitZ(tracked), ...splitZ(untracked)])];
  return {
    ref, refType, sha, beforeSha: before || ZERO_SHA, defaultBranch, files, changed,
    message: message.replace(/\n+$/, ''), timestamp: timestamp.trim(), author: author.trim(),
    remoteUrl: remoteUrl?.trim() || undefined, userName: userName?.trim() || undefined, userEmail: userEmail?.trim() || undefined,
  };
}

async function findDefaultBranch(originHead: string | undefined, ref: string, refType: string, git: Git): Promise<string> {
  const origin = originHead?.trim();
  if (origin) return origin.replace(/^origin\//, '');
  for (const candidate of ['main', 'master']) {
    if ((await git(['show-ref', '--verify', '-q', `refs/heads/${candidate}`])) !== undefined) return candidate;
  }
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
