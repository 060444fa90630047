// loadConfig with its rule/expansion helpers passed in (load-config.ts wires the real ones).
// Order as in GitLab: includes (with spec:inputs) → extends → !reference.
import { join } from 'node:path';
import type { PipelineError, SourcePosition } from '../errors.js';
import { ConfigLoader, type LoaderHelpers } from './config-loader.js';
import { normalizeRelPath, readTextFile, walkFiles, type ProjectFiles } from './project-files.js';
import type { PlainRecord } from './plain-data.js';
import { resolveExtends } from './resolve-extends.js';
import { resolveReferences } from './resolve-references.js';
import { createSourceMap, type SourceMap } from './source-map.js';

export type { SourceMap } from './source-map.js';

export interface LoadConfigOptions {
  /** Repository root; include:local paths resolve from here ('/x.yml' = root-relative). */
  projectDir: string;
  /** Default '.gitlab-ci.yml', relative to projectDir. */
  file?: string;
  /** Lint this content instead of reading `file`. */
  content?: string;
  /** Default: read from projectDir; undefined = missing. */
  readFile?: (relPath: string) => Promise<string | undefined>;
  /** For include:local globs and include rules:exists; default: walk projectDir (skip .git, node_modules, .drydock). */
  listFiles?: () => readonly string[];
  /** For include rules:changes; undefined = unknown → true. */
  changedFiles?: () => readonly string[] | undefined;
  /**
   * Offline directory for include:remote/template/project/component:
   * templates/<Name>.gitlab-ci.yml, projects/<group/project>/<ref>/<file>,
   * projects/<group/project>/<version>/templates/<name>.yml (components), remote/<host>/<path>.
   */
  includeDir?: string;
  /** Pre-pipeline variables: include rules:if and include path expansion ($VAR / ${VAR}). */
  variables?: ReadonlyArray<{ key: string; value: string }>;
  /** Inputs for the root file's spec:inputs. */
  inputs?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface LoadedConfig {
  /** Includes merged, spec:inputs interpolated, extends and !reference resolved; `default:` not applied. */
  data: Record<string, unknown>;
  sourceMap: SourceMap;
  /** Every error found, with file/line/column/path; data may be partial when there are errors. */
  errors: PipelineError[];
  /** Included files in load order (the root file is not listed). */
  includedFiles: string[];
}

export async function loadConfigWith(options: LoadConfigOptions, helpers: LoaderHelpers): Promise<LoadedConfig> {
  const projectDir = options.projectDir;
  const rootFile = normalizeRelPath(options.file ?? '.gitlab-ci.yml') ?? options.file ?? '.gitlab-ci.yml';
  const signal = options.signal;
  const readFile = options.readFile ?? ((rel: string) => readTextFile(join(projectDir, rel), signal));
  let listed: readonly string[] | undefined;
  const self: ProjectFiles = {
    id: 'self',
    read: (rel) => readFile(rel),
    list: () => (listed ??= options.listFiles ? options.listFiles() : walkFiles(projectDir)),
    display: (rel) => rel,
  };
  const variables = new Map<string, string>();
  for (const v of options.variables ?? []) variables.set(v.key, v.value);
  const loader = new ConfigLoader(
    {
      projectDir,
      self,
      changedFiles: options.changedFiles ?? (() => undefined),
      includeDir: options.includeDir,
      lookup: (name) => variables.get(name),
      signal,
    },
    helpers,
  );
  const rootPos: SourcePosition = { file: rootFile, line: 1, column: 1 };
  const text = options.content ?? (await readFile(rootFile));
  let data: PlainRecord = {};
  if (text === undefined) {
    loader.error(rootPos, [], `${rootFile} not found in ${projectDir}: create it or pass the file to lint`);
  } else {
    const loaded = await loader.loadRoot(text, rootFile, options.inputs);
    if (loaded) {
      const extended = resolveExtends(loaded, loader.index, loader.tagFree);
      for (const e of extended.errors) {
        const job = loaded[e.key];
        const pos = (job !== null && typeof job === 'object' ? loader.index.best(job, 'extends') : undefined) ?? rootPos;
        loader.error(pos, [e.key, 'extends'], e.message);
      }
      data = extended.config;
      if (loader.hasReferences) {
        for (const e of resolveReferences(data, loader.index, loader.tagFree)) loader.error(e.pos ?? rootPos, e.path, e.message);
      }
    }
  }
  return { data, sourceMap: createSourceMap(data, loader.index, rootPos), errors: loader.errors, includedFiles: loader.includedFiles };
}
