// ActiveSupport's deep_merge as GitLab uses it for includes and `extends`: hashes merge key by
// key, anything else (arrays, scalars, null) from `over` replaces. Never mutates its inputs:
// values are shared by reference and only the hashes on a conflict path are copied, so a merge
// costs the size of the overlap, not of the whole configuration.
import { hasOwn, isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { TagFreeSet } from './parse-yaml.js';
import type { PositionIndex } from './position-index.js';

/**
 * `skip` names a key of `over` to leave out (the `extends` keyword itself). With `tagFree`, a
 * result whose values are all scalars or tag-free containers is recorded as tag-free too.
 */
export function deepMerge(base: PlainRecord, over: PlainRecord, index: PositionIndex, skip?: string, tagFree?: TagFreeSet): PlainRecord {
  const out: PlainRecord = {};
  for (const key of Object.keys(base)) setOwn(out, key, base[key]);
  for (const key of Object.keys(over)) {
    if (key === skip) continue;
    const next = over[key];
    const prev = hasOwn(out, key) ? out[key] : undefined;
    setOwn(out, key, isRecord(prev) && isRecord(next) ? deepMerge(prev, next, index, undefined, tagFree) : next);
  }
  if (tagFree && holdsOnlyTagFree(out, tagFree)) tagFree.add(out);
  // Key positions come from whichever side supplied the key, looked up lazily.
  index.derive(out, [base, over]);
  return out;
}

function holdsOnlyTagFree(record: PlainRecord, tagFree: TagFreeSet): boolean {
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value !== null && typeof value === 'object' && !tagFree.has(value)) return false;
  }
  return true;
}

/** A new mapping with the same entries and positions, optionally without some keys. */
export function shallowCopy(source: PlainRecord, index: PositionIndex, without?: string): PlainRecord {
  const out: PlainRecord = {};
  for (const key of Object.keys(source)) {
    if (key !== without) setOwn(out, key, source[key]);
  }
  index.copy(source, out);
  return out;
}
