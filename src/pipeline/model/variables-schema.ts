// `variables:` at every level (top-level, job, rules, services): the schema with GitLab's messages and
// the conversion to VariableConfig.
import * as z from 'zod';
import type { VariableConfig } from './pipeline-config.js';
import { isArrayOfStrings, isBoolean, isHash, text, withFastCheck } from './schema-kit.js';

/** GitLab's AlphanumericValidator: strings and integers (YAML floats and booleans are rejected). */
const isAlphanumeric = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

/**
 * `allowedData`: the long-form keys allowed here (top-level: value, description, expand, options;
 * job: value, expand; rules and services: none).
 */
export function variablesSchema(allowedData: readonly string[]): z.ZodType<Record<string, unknown>> {
  const schema = z.custom<Record<string, unknown>>().superRefine((v, ctx) => {
    if (!isHash(v)) {
      ctx.addIssue({ code: 'custom', message: 'config should be a hash of key value pairs' });
      return;
    }
    for (const [key, value] of Object.entries(v)) {
      const problem = variableProblem(value, allowedData);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] });
    }
  });
  return withFastCheck(schema, (v) => {
    if (!isHash(v)) return false;
    for (const key in v) if (Object.hasOwn(v, key) && variableProblem(v[key], allowedData) !== undefined) return false;
    return true;
  });
}

function variableProblem(value: unknown, allowedData: readonly string[]): string | undefined {
  if (isAlphanumeric(value)) return undefined;
  if (!isHash(value)) return '=variable definition must be either a string or a hash';
  if (allowedData.length === 0) return 'config must be a string';
  const extra = Object.keys(value).filter((k) => !allowedData.includes(k));
  if (extra.length) return `config uses invalid data keys: ${extra.join(', ')}`;
  const { value: v, description, expand, options } = value;
  if (v !== undefined && v !== null && !isAlphanumeric(v)) return 'config value must be an alphanumeric string';
  if (description !== undefined && description !== null && !isAlphanumeric(description)) {
    return 'config description must be an alphanumeric string';
  }
  if (expand !== undefined && expand !== null && !isBoolean(expand)) return 'config expand should be a boolean value';
  if (options !== undefined && options !== null) {
    if (!isArrayOfStrings(options)) return 'config options should be an array of strings';
    if (options.length > 0 && !options.includes(text(v ?? ''))) return 'config value must be present in options';
  }
  return undefined;
}

/** Converts a validated `variables:` hash into entries in file order. */
export function toVariableConfigs(raw: unknown): VariableConfig[] {
  if (!isHash(raw)) return [];
  const out: VariableConfig[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (isHash(value)) {
      const v = value.value;
      out.push({
        key,
        value: v === undefined || v === null ? '' : text(v),
        raw: value.expand === false,
        ...(value.description !== undefined && value.description !== null ? { description: text(value.description) } : {}),
        ...(isArrayOfStrings(value.options) ? { options: value.options } : {}),
      });
    } else {
      out.push({ key, value: text(value), raw: false });
    }
  }
  return out;
}

/** Simple `KEY: value` map (rules and workflow rules variables). */
export function toStringMap(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isHash(raw)) return out;
  for (const [key, value] of Object.entries(raw)) out[key] = isHash(value) ? text(value.value ?? '') : text(value);
  return out;
}
