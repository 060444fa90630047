// Small zod building blocks with GitLab's wording, and the conversion of zod issues into
// GitLab-style messages ("jobs:build:cache when should be one of: ...").
//
// Message convention for the `error` texts given to the schemas below:
//   "config ..."  — about the entry itself:   "<location>:<path> config ..."
//   "=..."        — a complete message, no location added (GitLab's retry entry does this)
//   ":..."        — about the entry, without the word config: "<location>:<path> ..."
//   anything else — about an attribute:       "<location>:<parent path> <attribute humanised> ..."
import * as z from 'zod';
import { parseDuration } from '../../shared/duration.js';

export type Path = Array<string | number>;

/** Where validation errors go; one collector per validated file. */
export interface ErrorSink {
  add(path: Path, message: string): void;
}

export type NestedStrings = string | NestedStrings[];

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export const isHash = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isArrayOfStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** GitLab's validate_nested_array: an array whose items are strings or such arrays, up to `maxLevel` deep. */
export function isNestedArrayOfStrings(v: unknown, maxLevel: number): v is NestedStrings[] {
  if (!Array.isArray(v) || maxLevel < 1) return false;
  return v.every((item) => isString(item) || isNestedArrayOfStrings(item, maxLevel - 1));
}

/** The strings of a nested array in order; anything that is neither a string nor an array is skipped. */
export function flattenStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  const walk = (items: readonly unknown[]): void => {
    for (const item of items) {
      if (typeof item === 'string') out.push(item);
      else if (Array.isArray(item)) walk(item);
    }
  };
  walk(v);
  return out;
}

/**
 * A value as text for messages and normalised fields. `String(v)` throws for a YAML mapping with
 * keys such as `toString`, so objects never reach it unguarded.
 */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return String(v);
  } catch {
    return Array.isArray(v) ? '[array]' : '[hash]';
  }
}

/**
 * Every schema built here also carries a cheap structural check, `fastAccepts`, that accepts only
 * values the zod schema accepts (false = "ask zod", which has GitLab's messages). Valid
 * configurations, the common case, never run zod: 2,000 jobs × a dozen keywords add up.
 */
export type FastCheck = (v: unknown) => boolean;
interface FastSchema {
  readonly fastAccepts?: FastCheck;
  /** Built by `opt`: the key may be absent. */
  readonly fastOptional?: boolean;
}
const askZod: FastCheck = () => false;

function withFast<S extends z.ZodType>(schema: S, accepts: FastCheck, optional = false): S {
  return Object.assign(schema, { fastAccepts: accepts, fastOptional: optional });
}

/** Attaches a fast check to a schema built outside this kit (it must accept only what the schema accepts). */
export function withFastCheck<S extends z.ZodType>(schema: S, accepts: FastCheck): S {
  return withFast(schema, accepts);
}

/** The schema's fast check; schemas built without this kit always defer to zod. */
export function fastCheckOf(schema: z.ZodType): FastCheck {
  return (schema as FastSchema).fastAccepts ?? askZod;
}

/** A leaf check with one fixed message (zod's own messages are not GitLab's). */
export function check<T>(pred: (v: unknown) => boolean, message: string): z.ZodType<T> {
  return withFast(z.custom<T>((v) => pred(v), { error: message }), pred);
}

/** zod's strictObject, with the fast check: a hash, no unknown keys, required keys present, every value fast-valid. */
export function strict<S extends Record<string, z.ZodType>>(shape: S, params?: { error: string }) {
  const fields = Object.entries(shape).map(([key, schema]) =>
    ({ key, fast: fastCheckOf(schema), optional: (schema as FastSchema).fastOptional === true }));
  return withFast(z.strictObject(shape, params), (v) => {
    if (!isHash(v)) return false;
    for (const key of Object.keys(v)) if (!Object.hasOwn(shape, key)) return false;
    for (const f of fields) {
      const value = v[f.key];
      if (value === undefined ? !f.optional : !f.fast(value)) return false;
    }
    return true;
  });
}

/** zod's array, with the fast check. */
export function arrayOf<T extends z.ZodType>(item: T, params?: { error: string }) {
  const fast = fastCheckOf(item);
  return withFast(z.array(item, params), (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!fast(v[i])) return false;
    return true;
  });
}

/** zod's enum, with the fast check. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, message: string) {
  return withFast(z.enum(values, { error: message }), (v) => typeof v === 'string' && values.includes(v));
}

/** zod's literal, with the fast check. */
export function literal<const T extends string>(value: T, message: string) {
  return withFast(z.literal(value, { error: message }), (v) => v === value);
}

/** A schema with an extra rule (`message` returns an issue or undefined), keeping the fast check. */
export function alsoRequire<S extends z.ZodType>(schema: S, message: (v: Record<string, unknown>) => string | undefined): S {
  const fast = fastCheckOf(schema);
  const refined = schema.superRefine((v, ctx) => {
    const m = isHash(v) ? message(v) : undefined;
    if (m !== undefined) ctx.addIssue({ code: 'custom', message: m });
  }) as S;
  return withFast(refined, (v) => fast(v) && isHash(v) && message(v) === undefined);
}

/** Durations such as `1 week`, `3h 30m`, `3600` (seconds). */
export function isDuration(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0;
  return typeof v === 'string' && parseDuration(v) !== undefined;
}

export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  return typeof v === 'string' ? parseDuration(v) : undefined;
}

export const WEEK_SECONDS = 7 * 24 * 3600;

export const commandsSchema = check<NestedStrings>(
  (v) => isString(v) || isNestedArrayOfStrings(v, 10),
  'config should be a string or a nested array of strings up to 10 levels deep',
);
export const arrayOfStrings = (message = 'config should be an array of strings') =>
  check<string[]>(isArrayOfStrings, message);
export const stringOrArrayOfStrings = (message = 'config should be an array of strings or a string') =>
  check<string | string[]>((v) => isString(v) || isArrayOfStrings(v), message);
export const booleanSchema = (message = 'config should be a boolean value') => check<boolean>(isBoolean, message);
export const stringSchema = (message = 'config should be a string') => check<string>(isString, message);

/** Humanised attribute names as Rails prints them (`start_in` → `start in`). */
export function humanize(key: string): string {
  return key.replace(/_/g, ' ');
}

/**
 * Converts zod issues into errors. `location` is GitLab's entry location (`jobs:build`), `basePath`
 * the key path of the validated value (for the source position), `keyPrefix` the location keys of
 * the validated value below `location` (`cache`, `rules:rule`).
 */
export function reportIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  location: string,
  basePath: Path,
  sink: ErrorSink,
  keyPrefix?: string,
): void {
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const keys = path.filter((p): p is string => typeof p === 'string');
    if (keyPrefix) keys.unshift(keyPrefix);
    const at = [...basePath, ...path];
    if (issue.code === 'unrecognized_keys') {
      const loc = [location, ...keys].filter(Boolean).join(':');
      sink.add([...at, issue.keys[0] ?? ''], `${loc} config contains unknown keys: ${issue.keys.join(', ')}`.toLowerCase());
      continue;
    }
    sink.add(at, formatIssueMessage(issue.message, location, keys).toLowerCase());
  }
}

function formatIssueMessage(message: string, location: string, keys: string[]): string {
  if (message.startsWith('=')) return message.slice(1);
  if (message.startsWith(':')) return `${[location, ...keys].filter(Boolean).join(':')} ${message.slice(1)}`;
  if (message.startsWith('config ') || keys.length === 0) {
    const loc = [location, ...keys].filter(Boolean).join(':');
    return loc ? `${loc} ${message}` : message;
  }
  const loc = [location, ...keys.slice(0, -1)].filter(Boolean).join(':');
  const attribute = humanize(keys[keys.length - 1] ?? '');
  return `${loc ? `${loc} ` : ''}${attribute} ${message}`;
}

/** Validates `value` with `schema`; reports issues and returns whether it was valid. */
export function validateWith(
  schema: z.ZodType, value: unknown, location: string, basePath: Path, sink: ErrorSink, keyPrefix?: string,
): boolean {
  if (fastCheckOf(schema)(value)) return true;
  const result = schema.safeParse(value);
  if (result.success) return true;
  reportIssues(result.error.issues, location, basePath, sink, keyPrefix);
  return false;
}

/** A schema whose check computes its own message (`undefined` = valid). */
export function refine<T>(message: (v: unknown) => string | undefined): z.ZodType<T> {
  return withFast(z.custom<T>().superRefine((v, ctx) => {
    const m = message(v);
    if (m !== undefined) ctx.addIssue({ code: 'custom', message: m });
  }), (v) => message(v) === undefined);
}

/** Optional keys: GitLab treats `key:` (null) like an absent key. */
export function opt<T extends z.ZodType>(schema: T) {
  const fast = fastCheckOf(schema);
  return withFast(schema.nullish(), (v) => v === undefined || v === null || fast(v), true);
}

/**
 * Picks the schema by the value's type (zod's union reports only "invalid input" when every branch
 * fails; GitLab reports the errors of the branch the value's type selects). `pick` returns a schema,
 * a message for an unsupported type, or undefined to accept the value.
 */
export function byType<T>(pick: (v: unknown) => z.ZodType | string | undefined): z.ZodType<T> {
  const fast: FastCheck = (v) => {
    const chosen = pick(v);
    return chosen === undefined || (typeof chosen !== 'string' && fastCheckOf(chosen)(v));
  };
  return withFast(z.custom<T>().superRefine((v, ctx) => {
    const chosen = pick(v);
    if (chosen === undefined) return;
    if (typeof chosen === 'string') {
      ctx.addIssue({ code: 'custom', message: chosen });
      return;
    }
    const result = chosen.safeParse(v);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
  }), fast);
}
