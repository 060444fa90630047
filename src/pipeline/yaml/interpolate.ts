// `$[[ inputs.name | function ]]` interpolation in keys and string values (GitLab's
// Ci::Interpolation::Template). A string that is exactly one block takes the input's own type,
// so array, number and boolean inputs stay typed.
import { isRecord, setOwn, type PlainRecord } from './plain-data.js';
import type { PositionIndex } from './position-index.js';
import { ReferenceTag } from './reference-tag.js';

const BLOCK = /\$\[\[\s*(.*?)\s*\]\]/g;
const WHOLE = /^\$\[\[\s*(.*?)\s*\]\]$/;
const MAX_BLOCKS = 10_000;
const MAX_FUNCTIONS = 3;
const MAX_ACCESS_BYTES = 1024;

export interface InterpolationContext {
  inputs: PlainRecord;
  /** For `expand_vars`. */
  expandVariables: (text: string) => string;
}

export interface InterpolationResult {
  value: unknown;
  errors: string[];
}

class BlockError extends Error {}

export function interpolate(content: unknown, ctx: InterpolationContext, index: PositionIndex): InterpolationResult {
  const state = { blocks: 0 };
  const seen = new Map<object, unknown>();
  try {
    return { value: walk(content, ctx, index, state, seen), errors: [] };
  } catch (e) {
    if (e instanceof BlockError) {
      return { value: undefined, errors: e.message === 'too many interpolation blocks' ? [e.message] : ['interpolation interrupted by errors', e.message] };
    }
    throw e;
  }
}

function walk(node: unknown, ctx: InterpolationContext, index: PositionIndex, state: { blocks: number }, seen: Map<object, unknown>): unknown {
  if (typeof node === 'string') return node.includes('$[[') ? replaceString(node, ctx, state) : node;
  if (node === null || typeof node !== 'object') return node;
  const done = seen.get(node);
  if (done !== undefined) return done;
  if (node instanceof ReferenceTag) {
    const tag = new ReferenceTag(walk(node.raw, ctx, index, state, seen));
    index.copy(node, tag);
    seen.set(node, tag);
    return tag;
  }
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    seen.set(node, out);
    index.copy(node, out);
    for (const item of node) out.push(walk(item, ctx, index, state, seen));
    return out;
  }
  const source = node as PlainRecord;
  const out: PlainRecord = {};
  seen.set(node, out);
  index.copy(source, out);
  for (const key of Object.keys(source)) {
    const newKey = key.includes('$[[') ? String(replaceString(key, ctx, state)) : key;
    setOwn(out, newKey, walk(source[key], ctx, index, state, seen));
    if (newKey !== key) index.setKeyFrom(out, newKey, source, key);
  }
  return out;
}

function replaceString(text: string, ctx: InterpolationContext, state: { blocks: number }): unknown {
  const whole = WHOLE.exec(text);
  if (whole && !whole[1]!.includes(']]')) return evaluate(whole[1]!, ctx, state);
  return text.replace(BLOCK, (_m, access: string) => display(evaluate(access, ctx, state)));
}

function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) || isRecord(value)) return JSON.stringify(value);
  return String(value);
}

function evaluate(expression: string, ctx: InterpolationContext, state: { blocks: number }): unknown {
  state.blocks += 1;
  if (state.blocks > MAX_BLOCKS) throw new BlockError('too many interpolation blocks');
  const [access = '', ...functions] = expression.split('|').map((s) => s.trim());
  if (Buffer.byteLength(access) > MAX_ACCESS_BYTES) throw new BlockError('maximum interpolation expression size exceeded');
  const objects = access.split('.');
  if (objects.length <= 1) throw new BlockError('invalid interpolation access pattern');
  let value: unknown = { inputs: ctx.inputs };
  for (const key of objects) {
    if (!isRecord(value) || !Object.prototype.hasOwnProperty.call(value, key)) {
      throw new BlockError(`unknown interpolation key: \`${key}\``);
    }
    value = value[key];
  }
  if (functions.length > MAX_FUNCTIONS) throw new BlockError('too many functions in interpolation block');
  for (const fn of functions) value = applyFunction(fn, value, ctx);
  return value;
}

function applyFunction(fn: string, value: unknown, ctx: InterpolationContext): unknown {
  const truncate = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(fn);
  if (truncate) {
    if (typeof value !== 'string') throw new BlockError('invalid input type: truncate can only be used with string inputs');
    const offset = Number(truncate[1]);
    return value.slice(offset, offset + Number(truncate[2]));
  }
  if (fn === 'expand_vars') {
    if (typeof value !== 'string') return value;
    return ctx.expandVariables(value);
  }
  if (fn === 'posix_escape') {
    if (typeof value !== 'string') throw new BlockError('invalid input type: posix_escape can only be used with string inputs');
    return value.replace(/([^A-Za-z0-9_\-.,:+/@\n])/g, '\\$1').replace(/\n/g, "'\n'");
  }
  throw new BlockError(`no function matching \`${fn}\`: check that the function name, arguments, and types are correct`);
}
