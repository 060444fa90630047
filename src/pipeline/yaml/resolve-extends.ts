// `extends` (GitLab Config::Extendable): every top-level hash with `extends` gets its parents
// merged under it, parents first in the order listed (later parent wins), then its own keys.
// Each entry is resolved once and reused, so long chains over thousands of jobs stay linear.
import { deepMerge, shallowCopy } from './deep-merge.js';
import { hasOwn, isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { TagFreeSet } from './parse-yaml.js';
import type { PositionIndex } from './position-index.js';

/** GitLab's MAX_NESTING_LEVELS: more than 10 ancestors is too deep (11 levels in all). */
const MAX_NESTING_LEVELS = 10;

export interface ExtendsError {
  /** The top-level key whose `extends` is at fault (GitLab names it in the message). */
  key: string;
  message: string;
}

class ExtensionFailure extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
  }
}

export function resolveExtends(config: PlainRecord, index: PositionIndex, tagFree?: TagFreeSet): { config: PlainRecord; errors: ExtendsError[] } {
  const resolved = new Map<string, PlainRecord>();
  // Extensible levels at and below each resolved entry, and the parent on its longest chain,
  // so a memoised entry still fails GitLab's depth check when reached from deep enough.
  const height = new Map<string, { levels: number; via: string | undefined }>();
  const failed = new Map<string, ExtensionFailure>();
  const errors: ExtendsError[] = [];
  const reported = new Set<string>();

  const extend = (key: string, ancestors: string[]): PlainRecord => {
    const value = config[key] as PlainRecord;
    if (!hasOwn(value, 'extends')) return value;
    const done = resolved.get(key);
    if (done) {
      checkDepth(key, ancestors.length);
      return done;
    }
    const earlier = failed.get(key);
    if (earlier) throw earlier;
    const raw = value['extends'];
    const parents = (Array.isArray(raw) ? raw : [raw]).map((p) => String(p ?? ''));
    const fail = (message: string): never => {
      throw new ExtensionFailure(key, message);
    };
    const unknown = parents.filter((p) => !hasOwn(config, p));
    if (unknown.length > 0) fail(`${key}: unknown keys in \`extends\` (${unknown.join(', ')})`);
    const invalid = parents.filter((p) => !isRecord(config[p]));
    if (invalid.length > 0) fail(`${key}: invalid base hashes in \`extends\` (${invalid.join(', ')})`);
    if (ancestors.length > MAX_NESTING_LEVELS) fail(`${key}: nesting too deep in \`extends\``);
    if (ancestors.includes(key)) fail(`${key}: circular dependency detected in \`extends\``);
    const chain = [...ancestors, key];
    let merged: PlainRecord = {};
    let levels = 0;
    let via: string | undefined;
    for (const parent of parents) {
      merged = deepMerge(merged, extend(parent, chain), index, undefined, tagFree);
      const below = height.get(parent)?.levels ?? 0;
      if (below > levels) [levels, via] = [below, parent];
    }
    height.set(key, { levels: levels + 1, via });
    // The node position follows `value` (the last source of the merge).
    merged = deepMerge(merged, value, index, 'extends', tagFree);
    resolved.set(key, merged);
    return merged;
  };

  // The entry `ancestorCount` levels up reaches this one: find the extensible entry on its
  // longest chain that has more than MAX_NESTING_LEVELS ancestors, as GitLab would meet it.
  const checkDepth = (key: string, ancestorCount: number): void => {
    let current: string | undefined = key;
    let depth = ancestorCount;
    while (current !== undefined) {
      if (depth > MAX_NESTING_LEVELS) throw new ExtensionFailure(current, `${current}: nesting too deep in \`extends\``);
      const next: string | undefined = height.get(current)?.via;
      current = next;
      depth += 1;
    }
  };

  const out: PlainRecord = {};
  index.copy(config, out);
  for (const key of Object.keys(config)) {
    const value = config[key];
    if (!isRecord(value) || !hasOwn(value, 'extends')) {
      setOwn(out, key, value);
      continue;
    }
    try {
      setOwn(out, key, extend(key, []));
    } catch (e) {
      if (!(e instanceof ExtensionFailure)) throw e;
      failed.set(key, e);
      if (!reported.has(e.message)) {
        reported.add(e.message);
        errors.push({ key: e.key, message: e.message });
      }
      setOwn(out, key, shallowCopy(value, index, 'extends'));
    }
  }
  return { config: out, errors };
}
