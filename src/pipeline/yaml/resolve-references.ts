// `!reference [job, key, ...]` (GitLab Yaml::Tags::Resolver), applied after `extends` so a
// reference sees the extended job. Replaces tags in place; a tag met again while it is being
// resolved is a circular chain. Arrays stay nested, as in GitLab (script flattening is the
// model's job). Only the first error of a chain is reported; the tags above it become null.
import type { SourcePosition } from '../errors.js';
import { isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { TagFreeSet } from './parse-yaml.js';
import type { PositionIndex } from './position-index.js';
import { ReferenceTag } from './reference-tag.js';

/** GitLab documents up to 10 levels of nested !reference tags. */
const MAX_NESTING = 10;

export interface ReferenceError {
  pos: SourcePosition | undefined;
  /** Where the tag sits in the configuration (the first place it was met). */
  path: Array<string | number>;
  message: string;
}

const FAILED = Symbol('failed reference');
type Visit = readonly [value: unknown, level: number];
/** "Unchanged, no references inside": one shared answer instead of a new pair per container. */
const UNCHANGED = Symbol('unchanged');
const PLAIN: Visit = [UNCHANGED, 0];

/** `tagFree`: containers known to hold no tag (parse-yaml.ts, deep-merge.ts), skipped unwalked. */
export function resolveReferences(config: PlainRecord, index: PositionIndex, tagFree?: TagFreeSet): ReferenceError[] {
  const errors: ReferenceError[] = [];
  const tags = new Map<ReferenceTag, 'resolving' | { value: unknown; level: number }>();
  const levels = new Map<object, number>();
  // Containers being walked right now: reaching one again from a tag means the tag refers to
  // something that contains it.
  const active = new Set<object>();

  const path: Array<string | number> = [];
  const fail = (tag: ReferenceTag, message: string): Visit => {
    errors.push({ pos: index.nodePos(tag), path: [...path], message });
    tags.set(tag, { value: FAILED, level: 0 });
    return [FAILED, 0];
  };

  const resolveTag = (tag: ReferenceTag): Visit => {
    const known = tags.get(tag);
    if (known === 'resolving') return fail(tag, `${tag.display} is part of a circular chain`);
    if (known) return [known.value, known.level];
    const location = tag.location;
    if (!location) return fail(tag, `${tag.display} is not valid`);
    tags.set(tag, 'resolving');
    let target: unknown = config;
    let level = 0;
    for (const key of location) {
      target = isRecord(target) && Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
      if (target instanceof ReferenceTag) [target, level] = resolveTag(target);
      if (target === undefined || target === FAILED) break;
    }
    if (target === FAILED) return quietFailure(tag);
    if (target === undefined || target === null || target === false) return fail(tag, `${tag.display} could not be found`);
    const [visited, inner] = visit(target, tag);
    const value = visited === UNCHANGED ? target : visited;
    if (value === FAILED) return quietFailure(tag);
    level = Math.max(level, inner) + 1;
    if (level > MAX_NESTING) return fail(tag, `${tag.display} is nested too deeply: up to ${MAX_NESTING} levels of !reference are allowed`);
    tags.set(tag, { value, level });
    return [value, level];
  };

  const quietFailure = (tag: ReferenceTag): Visit => {
    tags.set(tag, { value: FAILED, level: 0 });
    return [FAILED, 0];
  };

  // Resolves every tag inside `node` in place; returns the node (or a tag's value) and the
  // deepest !reference nesting found inside.
  const visit = (node: unknown, from?: ReferenceTag): Visit => {
    if (node instanceof ReferenceTag) return resolveTag(node);
    if (node === null || typeof node !== 'object') return [node, 0];
    if (tagFree?.has(node)) return PLAIN;
    if (active.has(node)) return from ? fail(from, `${from.display} is part of a circular chain`) : [node, 0];
    const seen = levels.get(node);
    if (seen !== undefined) return seen === 0 ? PLAIN : [node, seen];
    active.add(node);
    let level = 0;
    let failed = false;
    // Only containers and tags can hold references; scalars are skipped without a call.
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const item: unknown = node[i];
        if (item === null || typeof item !== 'object') continue;
        path.push(i);
        const [value, inner] = visit(item, from);
        path.pop();
        if (value === UNCHANGED) continue;
        if (inner > level) level = inner;
        if (value === FAILED) failed = true;
        if (value !== item) node[i] = value === FAILED ? null : value;
      }
    } else {
      const record = node as PlainRecord;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (item === null || typeof item !== 'object') continue;
        path.push(key);
        const [value, inner] = visit(item, from);
        path.pop();
        if (value === UNCHANGED) continue;
        if (inner > level) level = inner;
        if (value === FAILED) failed = true;
        if (value !== item) setOwn(record, key, value === FAILED ? null : value);
      }
    }
    active.delete(node);
    levels.set(node, level);
    if (failed && from) return [FAILED, level];
    return level === 0 ? PLAIN : [node, level];
  };

  visit(config);
  return errors;
}
