// Resolves `artifacts:paths`/`cache:paths` (doublestar globs relative to the project dir) and
// `artifacts:exclude` into a list of relative paths, like the runner's artifact/cache archiver:
// a matched directory brings everything under it; excluded files are dropped.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

export interface GlobReport {
  /** Relative, '/'-separated paths of files, symlinks and empty directories to archive. */
  files: string[];
  /** One line per pattern, as the runner logs it: "<pattern>: found N matching artifact files and directories". */
  messages: string[];
}

export async function resolvePaths(root: string, patterns: readonly string[], excludes: readonly string[] = [], extraFiles: readonly string[] = []): Promise<GlobReport> {
  const result = new Set<string>();
  const messages: string[] = [];
  const isExcluded = excludes.length === 0 ? () => false : excludeMatcher(excludes);
  for (const raw of patterns) {
    const pattern = normalise(raw);
    if (pattern === undefined) {
      messages.push(`WARNING: ${raw}: path is outside the project directory; ignored`);
      continue;
    }
    const matched = await expandPattern(root, pattern);
    let count = 0;
    for (const rel of matched) {
      for (const f of await walk(root, rel)) {
        if (isExcluded(f) || result.has(f)) continue;
        result.add(f);
        count++;
      }
    }
    messages.push(count > 0 ? `${raw}: found ${count} matching artifact files and directories` : `WARNING: ${raw}: no matching files. Ensure that the artifact path is relative to the working directory (${root})`);
  }
  for (const f of extraFiles) if (!isExcluded(f)) result.add(f);
  return { files: [...result].sort(), messages };
}

/** `./a/b/` → `a/b`; undefined when the path leaves the root. */
function normalise(p: string): string | undefined {
  let s = p.replace(/\\/g, '/').trim();
  if (s.startsWith('/')) return undefined;
  s = s.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (s === '' || s === '.') return '.';
  const norm = path.posix.normalize(s);
  if (norm === '..' || norm.startsWith('../')) return undefined;
  return norm;
}

async function expandPattern(root: string, pattern: string): Promise<string[]> {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return (await exists(path.join(root, pattern))) ? [pattern] : [];
  const base = scan.base === '' ? '.' : scan.base;
  const isMatch = picomatch(pattern, { dot: true });
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (child === '.git') continue;
      if (isMatch(child)) {
        out.push(child);
        continue; // a matched directory is taken whole
      }
      if (e.isDirectory()) await visit(child);
    }
  };
  await visit(base);
  return out;
}

/** Everything under `rel` (itself if a file or symlink; a directory's files; an empty directory as `dir/`). */
async function walk(root: string, rel: string): Promise<string[]> {
  const st = await lstat(path.join(root, rel)).catch(() => undefined);
  if (st === undefined) return [];
  if (!st.isDirectory()) return [rel];
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const child = rel === '.' ? e.name : `${rel}/${e.name}`;
    if (child === '.git') continue;
    out.push(...(await walk(root, child)));
  }
  if (entries.length === 0 && rel !== '.') out.push(`${rel}/`);
  return out;
}

function excludeMatcher(excludes: readonly string[]): (file: string) => boolean {
  const patterns = excludes.map((e) => normalise(e)).filter((e): e is string => e !== undefined);
  const match = picomatch(patterns, { dot: true });
  return (file) => {
    const f = file.replace(/\/$/, '');
    if (match(f)) return true;
    // A pattern naming a directory excludes what is under it.
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) if (match(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}
