// Turns zod issues on parsed config.toml data into ConfigErrors that name the line, the table
// (`[runners.docker]`, `[[runners]] #2`) and the key, in words a runner admin can act on.
import type { z } from 'zod';
import type { ConfigError } from './config-error.js';
import { describeValue } from './describe-value.js';
import { didYouMean } from './did-you-mean.js';
import { unwrapSchema as unwrap, type SchemaNode } from './schema-walk.js';
import type { TomlKeyLines } from './toml-key-lines.js';

type Path = Array<string | number>;

/** Per-parse zod error map: the wording of every message that does not need the file. */
export function configErrorMap(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${typeLabel(String(iss.expected))}, got ${describeValue(iss.input)}`;
    case 'invalid_value': {
      const values = iss.values.map((v) => JSON.stringify(v)).filter((v) => v !== '""');
      const list = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      const guess = typeof iss.input === 'string' ? didYouMean(iss.input, iss.values.map(String)) : undefined;
      return `expected ${list}, got ${describeValue(iss.input)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`;
    }
    case 'too_small':
      if (iss.origin === 'string') return 'must not be empty';
      if (iss.origin === 'array') return `needs at least ${String(iss.minimum)} entries`;
      return `must be at least ${String(iss.minimum)}, got ${describeValue(iss.input)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}, got ${describeValue(iss.input)}`;
    case 'invalid_format':
      return `has the wrong format: ${describeValue(iss.input)}`;
    case 'invalid_key':
      return `invalid key ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
}

/** Every issue as a ConfigError; unknown keys become one error each, with a spelling suggestion. */
export function configErrorsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  schema: z.ZodType,
  keyLines: TomlKeyLines,
  file: string,
): ConfigError[] {
  const errors: ConfigError[] = [];
  const add = (path: Path, message: string) => {
    errors.push({ file, line: keyLines.lineOf(path) ?? 0, column: 0, path, message });
  };
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const guess = didYouMean(key, known);
        const hint = guess ? `did you mean ${JSON.stringify(guess)}?` : 'remove it or check the spelling';
        add([...path, key], `${locate(data, path).label || 'top level'}: unknown key ${JSON.stringify(key)} (${hint})`);
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const key = path[path.length - 1];
      const why = issue.issues[0]?.message ?? issue.message;
      add(path, `${locate(data, path.slice(0, -1)).label || 'top level'}: bad key ${JSON.stringify(key)}: ${why}`);
      continue;
    }
    const where = locate(data, path, 'value');
    if (issue.code === 'invalid_type' && valueAt(data, path) === undefined && where.key) {
      const parent = locate(data, path.slice(0, -1));
      add(path, `${parent.label ? `${parent.label}: ` : ''}missing required key ${JSON.stringify(path[path.length - 1])}`);
      continue;
    }
    // Schema-specific wording (e.g. "must be at least 1") does not show the value; add it.
    const value = valueAt(data, path);
    const shown = issue.code === 'custom' || issue.message.includes('got ') || value === undefined ? '' : `; got ${describeValue(value)}`;
    add(path, `${[where.label, where.key].filter(Boolean).join(' ')}: ${issue.message}${shown}`);
  }
  return errors;
}

/**
 * Splits a data path into the TOML table it lives in and the key inside it:
 * ['runners', 1, 'docker', 'volumes', 2] → { label: '[runners.docker]', key: 'volumes[2]' };
 * ['runners', 1, 'exector'] → { label: '[[runners]] #2', key: 'exector' }.
 */
export function locate(
  data: unknown,
  path: readonly (string | number)[],
  /** 'value': the last segment is the key even when its value is a table (for type errors). */
  mode: 'table' | 'value' = 'table',
): { label: string; key: string } {
  const names: string[] = [];
  let index: number | undefined;
  let node: unknown = data;
  let i = 0;
  const end = mode === 'value' ? path.length - 1 : path.length;
  while (i < end) {
    const segment = path[i] as string | number;
    const child = childOf(node, segment);
    const next = path[i + 1];
    if (typeof segment === 'string' && isTable(child)) {
      names.push(segment);
      index = undefined;
      node = child;
      i += 1;
    } else if (typeof segment === 'string' && typeof next === 'number' && i + 1 < end && isTable(childOf(child, next))) {
      // An element of an array of tables: [[runners]] #2.
      names.push(segment);
      index = next;
      node = childOf(child, next);
      i += 2;
    } else break;
  }
  const dotted = names.map(tomlKey).join('.');
  const label = names.length === 0 ? '' : index === undefined ? `[${dotted}]` : `[[${dotted}]] #${index + 1}`;
  let key = '';
  for (const segment of path.slice(i)) {
    key += typeof segment === 'number' ? `[${segment}]` : key === '' ? tomlKey(segment) : `.${tomlKey(segment)}`;
  }
  return { label, key };
}

/** Keys the schema accepts for the table at `path` (for "did you mean"). */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let node: SchemaNode | undefined = unwrap(schema as unknown as SchemaNode);
  for (const segment of path) {
    if (!node) return [];
    const def = node._zod.def;
    if (def.type === 'object' && typeof segment === 'string') node = unwrap(def.shape?.[segment]);
    else if (def.type === 'array') node = unwrap(def.element);
    else if (def.type === 'record') node = unwrap(def.valueType);
    else return [];
  }
  const shape = node?._zod.def.type === 'object' ? node._zod.def.shape : undefined;
  return shape ? Object.keys(shape) : [];
}

function childOf(node: unknown, segment: string | number): unknown {
  if (Array.isArray(node) && typeof segment === 'number') return node[segment];
  if (isTable(node) && typeof segment === 'string') return node[segment];
  return undefined;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const segment of path) node = childOf(node, segment);
  return node;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

function typeLabel(expected: string): string {
  const labels: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'a boolean (true or false, unquoted)',
    array: 'a list',
    object: 'a table',
    record: 'a table',
    date: 'a date-time',
  };
  return labels[expected] ?? expected;
}
