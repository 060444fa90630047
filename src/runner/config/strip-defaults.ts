// Parsed config carries every default; writing them all back would bury the admin's few settings
// under a hundred `x = false`. This drops each value that equals what the schema would fill in, so
// parse → strip → write → parse gives the same data.
import type { z } from 'zod';
import { unwrapSchema as unwrap, type SchemaNode } from './schema-walk.js';

/**
 * `keep` lists key paths (dot-joined, array indices left out) always written, e.g. 'concurrent' or
 * 'runners.url', because gitlab-runner writes them even when they hold the default.
 */
export function stripDefaults(schema: z.ZodType, value: unknown, keep: ReadonlySet<string> = new Set()): unknown {
  return strip(schema as unknown as SchemaNode, value, '', keep);
}

function strip(schema: SchemaNode | undefined, value: unknown, at: string, keep: ReadonlySet<string>): unknown {
  const node = unwrap(schema);
  if (!node) return value;
  const def = node._zod.def;
  if (def.type === 'object' && def.shape && isTable(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const field = def.shape[key];
      const path = at === '' ? key : `${at}.${key}`;
      if (field && !keep.has(path)) {
        const fallback = field.safeParse(undefined);
        if (fallback.success && deepEqual(fallback.data, v)) continue;
      }
      out[key] = strip(field, v, path, keep);
    }
    return out;
  }
  if (def.type === 'array' && Array.isArray(value)) return value.map((v) => strip(def.element, v, at, keep));
  return value;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isTable(a) && isTable(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
