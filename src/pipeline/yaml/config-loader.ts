// One load of a configuration: parses the root file, loads includes depth first (included files
// first, the including file deep-merged on top), and collects every error with its position.
// Owns the per-load state (include count, parse cache, positions); nothing is module-level.
import { CancelledError } from '../../shared/abort.js';
import type { PipelineError, SourcePosition } from '../errors.js';
import { deepMerge, shallowCopy } from './deep-merge.js';
import { normalizeIncludes } from './include-entries.js';
import { evaluateIncludeRules } from './include-rules.js';
import { directoryProjectCache, resolveTargets, type IncludeTarget } from './include-targets.js';
import { interpolate } from './interpolate.js';
import { GITLAB_LIMITS, parseYaml, type ParsedYaml, type TagFreeSet } from './parse-yaml.js';
import { hasOwn, isRecord, type PlainRecord } from './plain-data.js';
import { PositionIndex } from './position-index.js';
import type { ProjectFiles } from './project-files.js';
import { resolveSpecInputs } from './spec-inputs.js';

/** GitLab's default ci_max_includes. */
export const MAX_INCLUDES = 150;

export interface LoaderHelpers {
  evaluateExpression(source: string, lookup: (name: string) => string | undefined): boolean;
  matchesAnyPattern(patterns: readonly string[], files: readonly string[]): boolean;
  expandGitlab(text: string, lookup: (name: string) => string | undefined): string;
}

export interface LoaderSettings {
  projectDir: string;
  self: ProjectFiles;
  changedFiles: () => readonly string[] | undefined;
  includeDir: string | undefined;
  lookup: (name: string) => string | undefined;
  signal: AbortSignal | undefined;
}

interface FileContext {
  key: string;
  display: string;
  /** As written in the include (quoted in GitLab's messages); undefined for the root file. */
  location: string | undefined;
  project: ProjectFiles | undefined;
}

const ROOT_EMPTY = 'Please provide content of .gitlab-ci.yml';
const NOT_A_HASH = 'Invalid configuration format';

export class ConfigLoader {
  readonly errors: PipelineError[] = [];
  readonly includedFiles: string[] = [];
  readonly index = new PositionIndex();
  hasReferences = false;
  /** Parsed containers without !reference tags below them (see parse-yaml.ts). */
  readonly tagFree: TagFreeSet = new Set<object>(); // a Set: cheaper than a WeakSet, and the loader is short-lived
  private includeCount = 0;
  private tooManyIncludes = false;
  private readonly parsed = new Map<string, { text: string; result: ParsedYaml }>();
  private readonly projectAt: (id: string, root: string) => ProjectFiles;

  constructor(
    private readonly settings: LoaderSettings,
    private readonly helpers: LoaderHelpers,
  ) {
    this.projectAt = directoryProjectCache(settings.projectDir);
  }

  error(pos: SourcePosition, path: Array<string | number>, message: string): void {
    this.errors.push({ file: pos.file, line: pos.line, column: pos.column, path, message });
  }

  async loadRoot(text: string, display: string, inputs: PlainRecord | undefined): Promise<PlainRecord | undefined> {
    const file: FileContext = { key: `${this.settings.self.id}:${display}`, display, location: undefined, project: this.settings.self };
    return this.loadFile(text, file, inputs, [file]);
  }

  private async loadFile(text: string, file: FileContext, inputs: unknown, chain: FileContext[]): Promise<PlainRecord | undefined> {
    const start: SourcePosition = { file: file.display, line: 1, column: 1 };
    const prefix = (m: string) => (file.location === undefined ? m : `\`${file.location}\`: ${m}`);
    if (text.trim() === '') {
      this.error(start, [], file.location === undefined ? ROOT_EMPTY : `Included file \`${file.location}\` is empty or does not exist!`);
      return undefined;
    }
    const parsed = this.parse(file, text);
    if (parsed.error) {
      this.error(parsed.error.pos, [], prefix(parsed.error.message));
      return undefined;
    }
    this.hasReferences ||= parsed.hasReferences;
    const docs = parsed.documents;
    const first = docs[0];
    const hasHeader = docs.length > 1 && isRecord(first) && hasOwn(first, 'spec');
    let content: unknown = hasHeader ? docs[1] : first;
    const given = inputs === undefined || inputs === null ? {} : inputs;
    if (!isRecord(given)) {
      this.error(start, [], prefix('inputs config should be a hash'));
      return undefined;
    }
    if (hasHeader) {
      const specInputs = resolveSpecInputs(first as PlainRecord, given);
      if (specInputs.errors.length > 0) {
        const headerPos = this.index.best(first as object, 'spec') ?? start;
        this.error(headerPos, [], prefix(specInputs.errors.slice(0, 3).join(', ')));
        return undefined;
      }
      const expandVariables = (s: string) => this.helpers.expandGitlab(s, this.settings.lookup);
      const result = interpolate(content, { inputs: specInputs.values, expandVariables }, this.index);
      if (result.errors.length > 0) {
        this.error(start, [], prefix(result.errors.slice(0, 3).join(', ')));
        return undefined;
      }
      content = result.value;
    } else if (Object.keys(given).length > 0) {
      this.error(start, [], prefix('Given inputs not defined in the `spec` section of the included configuration file'));
      return undefined;
    }
    if (content === null || content === undefined) {
      this.error(start, [], file.location === undefined ? ROOT_EMPTY : `Included file \`${file.location}\` does not have valid YAML syntax!`);
      return undefined;
    }
    if (!isRecord(content)) {
      this.error(start, [], prefix(NOT_A_HASH));
      return undefined;
    }
    if (!hasOwn(content, 'include')) return content;
    const included = await this.loadIncludes(content, file, chain);
    const own = shallowCopy(content, this.index, 'include');
    let merged: PlainRecord = {};
    this.index.copy(content, merged);
    for (const data of included) merged = deepMerge(merged, data, this.index);
    return deepMerge(merged, own, this.index);
  }

  private parse(file: FileContext, text: string): ParsedYaml {
    const cached = this.parsed.get(file.key);
    if (cached && cached.text === text) return cached.result;
    const result = parseYaml(text, file.display, this.index, GITLAB_LIMITS, this.tagFree);
    this.parsed.set(file.key, { text, result });
    return result;
  }

  private positionIn(owner: PlainRecord, path: Array<string | number>, fallback: SourcePosition): SourcePosition {
    const list = owner['include'];
    const index = path[1];
    if (typeof index === 'number' && Array.isArray(list)) return this.index.best(list, index) ?? fallback;
    return this.index.best(owner, 'include') ?? fallback;
  }

  private async loadIncludes(owner: PlainRecord, file: FileContext, chain: FileContext[]): Promise<PlainRecord[]> {
    const start: SourcePosition = { file: file.display, line: 1, column: 1 };
    const { entries, errors } = normalizeIncludes(owner['include']);
    for (const e of errors) this.error(this.positionIn(owner, e.path, start), e.path, e.message);
    const results: PlainRecord[] = [];
    const expand = (s: string) => this.helpers.expandGitlab(s, this.settings.lookup);
    for (const entry of entries) {
      if (this.tooManyIncludes) break;
      // Positions cost a lookup: only work them out for an error.
      const site = () => this.positionIn(owner, entry.path, start);
      if (entry.rules !== undefined && entry.rules !== null) {
        const project = file.project;
        const verdict = evaluateIncludeRules(entry.rules, {
          evaluate: (src) => this.helpers.evaluateExpression(src, this.settings.lookup),
          expand,
          listFiles: () => (project ? project.list() : []),
          changedFiles: this.settings.changedFiles,
          matchesAnyPattern: this.helpers.matchesAnyPattern,
        });
        if (verdict.error) this.error(site(), [...entry.path, 'rules'], verdict.error);
        if (!verdict.pass) continue;
      }
      const expanded = { ...entry, location: expandValue(entry.location, expand), file: expandValue(entry.file, expand), ref: expandValue(entry.ref, expand) };
      const resolved = resolveTargets(expanded, {
        project: file.project,
        projectDir: this.settings.projectDir,
        includeDir: this.settings.includeDir,
        projectAt: this.projectAt,
      });
      if ('error' in resolved) {
        this.error(site(), entry.path, resolved.error);
        continue;
      }
      for (const target of resolved.targets) {
        const data = await this.loadTarget(target, entry.inputs, entry.path, site, chain);
        if (data) results.push(data);
        if (this.tooManyIncludes) break;
      }
    }
    return results;
  }

  private async loadTarget(
    target: IncludeTarget,
    inputs: unknown,
    path: Array<string | number>,
    site: () => SourcePosition,
    chain: FileContext[],
  ): Promise<PlainRecord | undefined> {
    const trail = [...chain.map((c) => c.display), target.display].join(' → ');
    if (this.includeCount >= MAX_INCLUDES) {
      this.tooManyIncludes = true;
      this.error(site(), path, `Maximum of ${MAX_INCLUDES} nested includes are allowed! (include chain: ${trail})`);
      return undefined;
    }
    this.includeCount += 1;
    if (chain.some((c) => c.key === target.key)) {
      this.error(site(), path, `Included file \`${target.location}\` includes itself (circular include: ${trail})`);
      return undefined;
    }
    const signal = this.settings.signal;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError();
    const text = await target.read(signal);
    if (text === undefined) {
      this.error(site(), path, target.missing);
      return undefined;
    }
    if (text.trim() === '') {
      this.error(site(), path, target.empty);
      return undefined;
    }
    this.includedFiles.push(target.display);
    const file: FileContext = { key: target.key, display: target.display, location: target.location, project: target.project };
    return this.loadFile(text, file, inputs, [...chain, file]);
  }
}

function expandValue(value: unknown, expand: (s: string) => string): unknown {
  if (typeof value === 'string') return /[$%]/.test(value) ? expand(value) : value;
  if (Array.isArray(value)) return value.map((v) => expandValue(v, expand));
  return value;
}
