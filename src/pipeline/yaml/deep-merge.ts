// ActiveSupport's deep_merge as GitLab uses it for includes and `extends`: hashes merge key by
// key, anything else (arrays, scalars, null) from `over` replaces. Never mutates its inputs:
// values are shared by reference and only the hashes on a conflict path are copied, so a merge
// costs the size of the overlap, not of the whole configuration.
import { hasOwn, isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { PositionIndex } from './position-index.js';

/** `skip` names a key of `over` to leave out (the `extends` keyword itself). */
export function deepMerge(base: PlainRecord, over: PlainRecord, index: PositionIndex, skip?: string): PlainRecord {
  const out: PlainRecord = {};
  for (const key of Object.keys(base)) setOwn(out, key, base[key]);
  for (const key of Object.keys(over)) {
    if (key === skip) continue;
    const next = over[key];
    const prev = hasOwn(out, key) ? out[key] : undefined;
    setOwn(out, key, isRecord(prev) && isRecord(next) ? deepMerge(prev, next, index) : next);
  }
  // Key positions come from whichever side supplied the key, looked up lazily.
  index.derive(out, [base, over]);
  return out;
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
