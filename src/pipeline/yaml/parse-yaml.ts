// YAML text → plain data the way GitLab's Psych safe_load sees it: YAML 1.1 scalars
// (psych-schema.ts), `<<` merge keys in Psych's order, anchors, `!reference`, duplicate keys
// allowed (last wins). Parsed with js-yaml (an order of magnitude faster than the `yaml`
// package on large files); positions are resolved lazily (lazy-positions.ts).
//
// Aliases share the anchored value instead of copying it; the expanded size and depth are still
// measured (memoised per shared node), so "billion laughs" input stops at GitLab's limits at once
// instead of growing memory.
import jsyaml from 'js-yaml';
import type { SourcePosition } from '../errors.js';
import { LazyFile } from './lazy-positions.js';
import { isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { Key, PositionIndex } from './position-index.js';
import { PSYCH_SCHEMA } from './psych-schema.js';
import { ReferenceTag } from './reference-tag.js';

export const TOO_BIG = 'The parsed YAML is too big';

export interface ParseLimits {
  /** Approximate size of the parsed data (characters of strings and keys, plus one per node). */
  maxBytes: number;
  maxDepth: number;
  /** Texts longer than this are refused before parsing. */
  maxTextLength: number;
}

export const GITLAB_LIMITS: ParseLimits = { maxBytes: 1024 * 1024, maxDepth: 100, maxTextLength: 8 * 1024 * 1024 };

export interface ParsedYaml {
  /** One value per YAML document (`null` for an empty one); empty when there is an error. */
  documents: unknown[];
  error?: { message: string; pos: SourcePosition };
  hasReferences: boolean;
}

/**
 * Parsed containers with no !reference tag anywhere below them. Nothing mutates such a container
 * later, so resolve-references.ts can skip it without walking it.
 */
export interface TagFreeSet {
  add(value: object): unknown;
  has(value: object): boolean;
}

class TooBig extends Error {}

interface Measure {
  bytes: number;
  height: number;
  tagged: boolean;
}

const MERGE_KEY = '<<';

export function parseYaml(text: string, file: string, index: PositionIndex, limits: ParseLimits = GITLAB_LIMITS, tagFree?: TagFreeSet): ParsedYaml {
  const start: SourcePosition = { file, line: 1, column: 1 };
  const tooBig = { documents: [], error: { message: TOO_BIG, pos: start }, hasReferences: false };
  if (text.length > limits.maxTextLength) return tooBig;
  let raw: unknown[];
  try {
    // js-yaml's own nesting guard sits a little above ours so that ours (which also counts
    // depth through aliases) decides; its guard still stops runaway recursion early.
    const options = { schema: PSYCH_SCHEMA, json: true, filename: file, maxDepth: limits.maxDepth + 2 };
    raw = jsyaml.loadAll(text, undefined, options);
  } catch (e) {
    if (e instanceof jsyaml.YAMLException && /nesting exceeded maxDepth/.test(e.reason)) return tooBig;
    if (e instanceof jsyaml.YAMLException) {
      const mark = e.mark as { line?: number; column?: number } | undefined;
      const line = (mark?.line ?? -1) + 1;
      const column = (mark?.column ?? -1) + 1;
      const where = line > 0 ? ` at line ${line} column ${column}` : '';
      return { documents: [], error: { message: `(${file}): ${e.reason}${where}`, pos: { file, line, column } }, hasReferences: false };
    }
    // js-yaml recurses on nesting; absurd depth ends as a stack overflow.
    if (e instanceof RangeError) return tooBig;
    throw e;
  }
  const lazy = new LazyFile(file, text);
  const walker = new Walker(lazy, index, limits, tagFree);
  try {
    const documents = raw.map((doc, i) => walker.document(doc, i));
    return { documents, hasReferences: walker.hasReferences };
  } catch (e) {
    if (e instanceof TooBig || e instanceof RangeError) return tooBig;
    throw e;
  }
}

/**
 * One pass over the parsed data: applies `<<` merges as Psych does, records origins for
 * positions, finds !reference tags and measures the expanded size and depth.
 */
class Walker {
  hasReferences = false;
  private measured = new Map<object, Measure>();
  private replaced = new Map<object, unknown>();
  private active = new Set<object>();
  private doc = 0;

  constructor(
    private readonly lazy: LazyFile,
    private readonly index: PositionIndex,
    private readonly limits: ParseLimits,
    private readonly tagFree: TagFreeSet | undefined,
  ) {}

  document(value: unknown, doc: number): unknown {
    this.doc = doc;
    this.measured = new Map();
    this.replaced = new Map();
    const out = this.visit(value, undefined, undefined, 1);
    if (this.size > this.limits.maxBytes) throw new TooBig();
    return out === undefined ? null : out;
  }

  // Size and height of the value last visited (fields, not a returned pair, to keep the walk
  // allocation-free for scalars).
  private size = 0;
  private height = 0;
  private tagged = false;

  private visit(value: unknown, parent: object | undefined, key: Key | undefined, depth: number): unknown {
    if (value === null || typeof value !== 'object') {
      this.size = typeof value === 'string' ? value.length + 1 : 1;
      this.height = 0;
      this.tagged = false;
      return value;
    }
    const known = this.measured.get(value);
    if (known) {
      if (depth + known.height - 1 > this.limits.maxDepth) throw new TooBig();
      this.size = known.bytes;
      this.height = known.height;
      this.tagged = known.tagged;
      return this.replaced.get(value) ?? value;
    }
    if (this.active.has(value)) throw new TooBig(); // a recursive alias: infinitely large
    if (depth > this.limits.maxDepth) throw new TooBig();
    this.active.add(value);
    let out: unknown = value;
    let bytes = 1;
    let height = 0;
    let tagged = false;
    if (value instanceof ReferenceTag) {
      this.hasReferences = true;
      tagged = true;
      this.index.setOrigin(value, this.lazy, this.doc, parent, key);
      this.visit(value.raw, undefined, undefined, depth + 1);
      bytes += this.size;
      height = this.height;
    } else if (Array.isArray(value)) {
      this.index.setOrigin(value, this.lazy, this.doc, parent, key);
      for (let i = 0; i < value.length; i += 1) {
        const before: unknown = value[i];
        const item = this.visit(before, value, i, depth + 1);
        if (item !== before) value[i] = item;
        bytes += this.size;
        if (this.tagged) tagged = true;
        if (this.height > height) height = this.height;
        if (bytes > this.limits.maxBytes) throw new TooBig();
      }
    } else {
      const record = value as PlainRecord;
      this.index.setOrigin(record, this.lazy, this.doc, parent, key);
      let merges = false;
      for (const k of Object.keys(record)) {
        const before = record[k];
        const item = this.visit(before, record, k, depth + 1);
        if (item !== before) setOwn(record, k, item);
        bytes += this.size + k.length;
        if (this.tagged) tagged = true;
        if (this.height > height) height = this.height;
        if (bytes > this.limits.maxBytes) throw new TooBig();
        if (k === MERGE_KEY) merges = true;
      }
      if (merges) {
        const merged = this.merge(record);
        bytes += merged.extraBytes;
        out = merged.value;
      }
    }
    this.active.delete(value);
    height += 1;
    if (bytes > this.limits.maxBytes) throw new TooBig();
    this.measured.set(value, { bytes, height, tagged });
    if (out !== value) this.replaced.set(value, out);
    // A merged mapping holds only values of this mapping and of its `<<` sources: tag-free too.
    if (!tagged && this.tagFree) {
      this.tagFree.add(value);
      if (out !== value) this.tagFree.add(out as object);
    }
    this.size = bytes;
    this.height = height;
    this.tagged = tagged;
    return out;
  }

  /**
   * Psych: where `<<` stands, the merged mapping(s) are copied over the keys written so far
   * (the first of a list wins over later ones); keys written after `<<` override them. A `<<`
   * whose value is not a mapping or a list of mappings stays an ordinary key.
   */
  private merge(record: PlainRecord): { value: PlainRecord; extraBytes: number } {
    const value = record[MERGE_KEY];
    const sources = isRecord(value) ? [value] : Array.isArray(value) && value.length > 0 && value.every(isRecord) ? (value as PlainRecord[]) : undefined;
    if (!sources) return { value: record, extraBytes: 0 };
    const out: PlainRecord = {};
    let extraBytes = 0;
    for (const k of Object.keys(record)) {
      if (k !== MERGE_KEY) {
        setOwn(out, k, record[k]);
        continue;
      }
      for (let i = sources.length - 1; i >= 0; i -= 1) {
        const source = sources[i] as PlainRecord;
        for (const sk of Object.keys(source)) {
          setOwn(out, sk, source[sk]);
          extraBytes += sk.length;
        }
      }
    }
    // Keys written in this mapping are found through its own origin; merged ones in their source.
    this.index.derive(out, [...sources, record]);
    return { value: out, extraBytes };
  }
}
