// The files of one project as includes see them: this repository (through the caller's
// readFile/listFiles) or a project laid out under --include-dir.
//
// --include-dir layout (offline stand-in for what a GitLab server would fetch):
//   templates/<Name>.gitlab-ci.yml            include:template
//   projects/<group/project>/<ref>/<file>     include:project (ref defaults to HEAD)
//   projects/<group/project>/<version>/templates/<name>.yml or .../templates/<name>/template.yml
//                                             include:component <host>/<group/project>/<name>@<version>
//   remote/<host>/<path>                      include:remote https://<host>/<path>
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';

export interface ProjectFiles {
  /** Identity for cycle detection and caching. */
  readonly id: string;
  /** `undefined` when the file does not exist. */
  read(relPath: string, signal?: AbortSignal): Promise<string | undefined>;
  list(): readonly string[];
  /** The path to show the user for a file of this project. */
  display(relPath: string): string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.drydock']);
const MAX_LISTED_FILES = 200_000;

/** `a/./b/../c` → `a/c`; undefined when the path climbs out of the root. */
export function normalizeRelPath(path: string): string | undefined {
  const trimmed = path.replace(/^\/+/, '');
  const norm = posix.normalize(trimmed === '' ? '.' : trimmed);
  if (norm === '..' || norm.startsWith('../')) return undefined;
  return norm === '.' ? '' : norm;
}

export async function readTextFile(absPath: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(absPath, { encoding: 'utf8', signal });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Every file under `root` as `/`-separated relative paths, skipping VCS and dependency folders. */
export function walkFiles(root: string): string[] {
  const out: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0 && out.length < MAX_LISTED_FILES) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(rel);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        out.push(rel);
      }
    }
  }
  return out.sort();
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Shows a path relative to the project root when it is inside it. */
export function displayPath(projectDir: string, absPath: string): string {
  const rel = relative(projectDir, absPath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return absPath;
  return rel.split(sep).join('/');
}

/** A project stored as a plain directory (used for --include-dir projects and components). */
export function directoryProject(id: string, root: string, projectDir: string): ProjectFiles {
  let listed: string[] | undefined;
  return {
    id,
    read: (rel, signal) => {
      const norm = normalizeRelPath(rel);
      return norm === undefined ? Promise.resolve(undefined) : readTextFile(join(root, norm), signal);
    },
    list: () => (listed ??= walkFiles(root)),
    display: (rel) => displayPath(projectDir, join(root, rel)),
  };
}

/** `configs/**.yml` → every .yml below configs; `*` stays inside one folder (GitLab's wildcard search). */
export function wildcardToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i += 1;
      } else {
        re += '[^/]*';
      }
    } else {
      re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}
