// Turns one include entry into the concrete files to read (a local glob may give many), with
// GitLab's messages for each way a file can be wrong. remote/template/project/component are read
// from --include-dir (layout in project-files.ts); without it they fail with a clear hint.
import { join } from 'node:path';
import type { IncludeEntry } from './include-entries.js';
import { isUrl } from './include-entries.js';
import { directoryProject, isDirectory, normalizeRelPath, readTextFile, wildcardToRegExp, type ProjectFiles } from './project-files.js';

export interface IncludeTarget {
  /** Identity for cycle detection. */
  key: string;
  /** Path shown to the user (relative to the project directory where possible). */
  display: string;
  /** The location as written (after variable expansion), quoted in GitLab's messages. */
  location: string;
  /** Project whose files nested `include:local` sees; undefined for remote/template files. */
  project: ProjectFiles | undefined;
  read(signal?: AbortSignal): Promise<string | undefined>;
  missing: string;
  empty: string;
}

export interface TargetContext {
  project: ProjectFiles | undefined;
  projectDir: string;
  includeDir: string | undefined;
  /** Reuses one ProjectFiles per --include-dir project so its file list is walked once. */
  projectAt(id: string, root: string): ProjectFiles;
}

const YAML_EXT = /.+\.(yml|yaml)$/i;
const TEMPLATE_SUFFIX = '.gitlab-ci.yml';

type Result = { targets: IncludeTarget[] } | { error: string };

export function resolveTargets(entry: IncludeEntry, ctx: TargetContext): Result {
  switch (entry.kind) {
    case 'local':
      return local(entry.location, ctx);
    case 'project':
      return project(entry, ctx);
    case 'remote':
      return remote(entry.location, ctx);
    case 'template':
      return template(entry.location, ctx);
    case 'component':
      return component(entry.location, ctx);
    case 'artifact':
      return { error: '`include:artifact` can only be used in a child pipeline (trigger:include), not in a pipeline configuration' };
  }
}

const needsString = (loc: unknown) => ({ error: `Included file \`${display(loc)}\` needs to be a string` });
const noExtension = (loc: string) => ({ error: `Included file \`${loc}\` does not have YAML extension!` });
const hasYamlExtension = (loc: string) => YAML_EXT.test(loc.split('/').pop() ?? '');

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

function offline(what: string, keyword: string, expected: string): { error: string } {
  return { error: `${what} cannot be read: include:${keyword} needs a coordinator server or \`--include-dir DIR\` (expected at DIR/${expected})` };
}

function fileTarget(files: ProjectFiles, rel: string, location: string, missing: string, empty: string): IncludeTarget {
  return { key: `${files.id}:${rel}`, display: files.display(rel), location, project: files, read: (s) => files.read(rel, s), missing, empty };
}

function local(loc: unknown, ctx: TargetContext): Result {
  if (typeof loc !== 'string') return needsString(loc);
  const files = ctx.project;
  if (!files) return { error: `Local file \`${loc}\` does not have project!` };
  const missing = `Local file \`${loc}\` does not exist!`;
  const empty = `Local file \`${loc}\` is empty!`;
  if (loc.includes('*')) {
    const re = wildcardToRegExp(loc.replace(/^\/+/, ''));
    const matched = files.list().filter((f) => re.test(f)).sort();
    const bad = matched.find((f) => !hasYamlExtension(f));
    if (bad !== undefined) return noExtension(bad);
    return { targets: matched.map((f) => fileTarget(files, f, f, `Local file \`${f}\` does not exist!`, `Local file \`${f}\` is empty!`)) };
  }
  if (!hasYamlExtension(loc)) return noExtension(loc);
  const rel = normalizeRelPath(loc);
  if (rel === undefined) return { error: missing };
  return { targets: [fileTarget(files, rel, loc, missing, empty)] };
}

function project(entry: IncludeEntry, ctx: TargetContext): Result {
  const name = entry.location;
  if (typeof name !== 'string') return needsString(name);
  const ref = entry.ref === undefined || entry.ref === null ? 'HEAD' : entry.ref;
  if (typeof ref !== 'string') return needsString(ref);
  const fileList = Array.isArray(entry.file) ? entry.file : [entry.file];
  const rels: string[] = [];
  for (const f of fileList) {
    if (typeof f !== 'string') return needsString(f);
    if (!hasYamlExtension(f)) return noExtension(f);
    const rel = normalizeRelPath(f);
    if (rel === undefined) return { error: `Project \`${name}\` file \`${f}\` does not exist!` };
    rels.push(rel);
  }
  const projectPath = normalizeRelPath(name);
  if (!ctx.includeDir || projectPath === undefined) {
    return offline(`Project \`${name}\` file \`${rels[0] ?? ''}\``, 'project', `projects/${name}/${ref}/${rels[0] ?? ''}`);
  }
  const projectRoot = join(ctx.includeDir, 'projects', projectPath);
  if (!isDirectory(projectRoot)) {
    return { error: `Project \`${name}\` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined. (expected the directory ${projectRoot})` };
  }
  const refRoot = join(projectRoot, ref);
  if (normalizeRelPath(ref) === undefined || !isDirectory(refRoot)) {
    return { error: `Project \`${name}\` reference \`${ref}\` does not exist! (expected the directory ${refRoot})` };
  }
  const files = ctx.projectAt(`project:${projectPath}@${ref}`, refRoot);
  return {
    targets: rels.map((rel) => fileTarget(files, rel, rel, `Project \`${name}\` file \`${rel}\` does not exist!`, `Project \`${name}\` file \`${rel}\` is empty!`)),
  };
}

function remote(loc: unknown, ctx: TargetContext): Result {
  if (typeof loc !== 'string') return needsString(loc);
  if (!hasYamlExtension(loc.split(/[?#]/)[0] ?? loc)) return noExtension(loc);
  if (!isUrl(loc)) return { error: `Remote file \`${loc}\` does not have a valid address!` };
  const url = new URL(loc);
  const rel = normalizeRelPath(`${url.host}${decodeURIComponent(url.pathname)}`);
  if (rel === undefined) return { error: `Remote file \`${loc}\` does not have a valid address!` };
  if (!ctx.includeDir) return offline(`Remote file \`${loc}\``, 'remote', `remote/${rel}`);
  const abs = join(ctx.includeDir, 'remote', rel);
  return {
    targets: [
      {
        key: `remote:${rel}`,
        display: loc,
        location: loc,
        project: undefined,
        read: (s) => readTextFile(abs, s),
        missing: `Remote file \`${loc}\` could not be fetched because of HTTP code \`404\` error! (expected at ${abs})`,
        empty: `Included file \`${loc}\` is empty or does not exist!`,
      },
    ],
  };
}

function template(loc: unknown, ctx: TargetContext): Result {
  if (typeof loc !== 'string') return needsString(loc);
  if (!loc.endsWith(TEMPLATE_SUFFIX)) return { error: `Template file \`${loc}\` is not a valid location!` };
  const rel = normalizeRelPath(loc);
  if (rel === undefined) return { error: `Template file \`${loc}\` is not a valid location!` };
  if (!ctx.includeDir) return offline(`Template file \`${loc}\``, 'template', `templates/${rel}`);
  const abs = join(ctx.includeDir, 'templates', rel);
  const missing = `Included file \`${loc}\` is empty or does not exist! (expected at ${abs})`;
  return { targets: [{ key: `template:${rel}`, display: `template:${rel}`, location: loc, project: undefined, read: (s) => readTextFile(abs, s), missing, empty: missing }] };
}

function component(loc: unknown, ctx: TargetContext): Result {
  if (typeof loc !== 'string') return needsString(loc);
  const at = loc.lastIndexOf('@');
  const parts = (at > 0 ? loc.slice(0, at) : loc).split('/');
  const version = at > 0 ? loc.slice(at + 1) : '';
  const name = parts.pop();
  const projectPath = normalizeRelPath(parts.slice(1).join('/'));
  if (!ctx.project) return { error: 'Unable to use components outside of a project context' };
  if (!name || !version || parts.length < 2 || !projectPath || normalizeRelPath(version) === undefined) {
    return { error: `Component \`${loc}\` is not a valid address: expected \`<fqdn>/<project path>/<component name>@<version>\`` };
  }
  const expected = `projects/${projectPath}/${version}/templates/${name}.yml`;
  if (!ctx.includeDir) return offline(`Component \`${loc}\``, 'component', expected);
  const root = join(ctx.includeDir, 'projects', projectPath, version);
  const files = ctx.projectAt(`project:${projectPath}@${version}`, root);
  const candidates = [`templates/${name}.yml`, `templates/${name}/template.yml`];
  const missing = `component '${loc}' - content not found (expected at ${join(ctx.includeDir, expected)} or .../templates/${name}/template.yml)`;
  return {
    targets: [
      {
        key: `component:${projectPath}@${version}/${name}`,
        display: files.display(candidates[0] as string),
        location: loc,
        project: files,
        read: async (s) => (await files.read(candidates[0] as string, s)) ?? files.read(candidates[1] as string, s),
        missing,
        empty: missing,
      },
    ],
  };
}

export function directoryProjectCache(projectDir: string): (id: string, root: string) => ProjectFiles {
  const cache = new Map<string, ProjectFiles>();
  return (id, root) => {
    let files = cache.get(id);
    if (!files) {
      files = directoryProject(id, root, projectDir);
      cache.set(id, files);
    }
    return files;
  };
}
