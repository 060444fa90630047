// Validates the global keywords: include (shape only; the loader consumed it), stages/types,
// variables, workflow, default and the deprecated top-level image/services/cache/before_script/after_script.
import type { VariableConfig, WorkflowConfig } from './pipeline-config.js';
import { DEFAULT_KEYS, WORKFLOW_RULE_WHEN, schemaOf } from './job-keywords.js';
import { toRules } from './normalise-entries.js';
import { NO_DEFAULTS, toJobDefaults, type JobDefaults } from './normalise-job.js';
import {
  check, flattenStrings, isHash, isNestedArrayOfStrings, isString, oneOf, opt, strict, validateWith, type ErrorSink,
  type NestedStrings,
} from './schema-kit.js';
import { WORKFLOW_RULE_KEYS, validateRules, type JobValidationContext } from './validate-job.js';
import { autoCancelSchema } from './entry-schemas.js';
import { toVariableConfigs, variablesSchema } from './variables-schema.js';
import { toStringMap } from './variables-schema.js';

export const DEPRECATED_GLOBALS = ['image', 'services', 'cache', 'before_script', 'after_script'] as const;

const stagesSchema = check<NestedStrings[]>((v) => isNestedArrayOfStrings(v, 10),
  'config should be an array of strings or a nested array of strings up to 10 levels deep');
const rootVariablesSchema = variablesSchema(['value', 'description', 'expand', 'options']);
const INCLUDE_KEYS = ['local', 'project', 'file', 'ref', 'remote', 'template', 'component', 'inputs', 'rules', 'integrity', 'cache'];
const includeItem = (v: unknown): boolean => isString(v)
  || (isHash(v) && Object.keys(v).every((k) => INCLUDE_KEYS.includes(k))
    && ['local', 'project', 'remote', 'template', 'component'].filter((k) => k in v).length === 1);
const includeSchema = check<unknown>((v) => includeItem(v) || (Array.isArray(v) && v.every(includeItem)),
  'config should be a hash, a string or an array of hashes and strings, each using exactly one of: local, project, remote, template, component');
export interface GlobalsResult {
  stages: string[];
  variables: VariableConfig[];
  workflow: WorkflowConfig;
  defaults: JobDefaults;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

export function validateGlobals(globals: Record<string, unknown>, ctx: JobValidationContext): GlobalsResult {
  const sink: ErrorSink = ctx.sink;
  const add = (path: Array<string | number>, message: string): void => sink.add(path, message.toLowerCase());

  if (present(globals.include)) validateWith(includeSchema, globals.include, '', ['include'], sink, 'include');

  let stages = ['build', 'test', 'deploy'];
  const stagesKey = present(globals.stages) ? 'stages' : present(globals.types) ? 'types' : undefined;
  for (const key of ['stages', 'types']) {
    if (present(globals[key]) && validateWith(stagesSchema, globals[key], '', [key], sink, key) && key === stagesKey) {
      stages = flattenStrings(globals[key]);
    }
  }

  let variables: VariableConfig[] = [];
  if (present(globals.variables) && validateWith(rootVariablesSchema, globals.variables, '', ['variables'], sink, 'variables')) {
    variables = toVariableConfigs(globals.variables);
  }

  const workflow = validateWorkflow(globals.workflow, ctx, add);

  let defaults = NO_DEFAULTS;
  const merged: Record<string, unknown> = {};
  let defaultsValid = true;
  const def = globals.default;
  if (present(def) && !isHash(def)) {
    add(['default'], 'default config should be a hash');
    defaultsValid = false;
  } else if (isHash(def)) {
    const unknown = Object.keys(def).filter((k) => !DEFAULT_KEYS.has(k));
    if (unknown.length) {
      add(['default', unknown[0] ?? ''], `default config contains unknown keys: ${unknown.join(', ')}`);
      defaultsValid = false;
    }
    for (const [key, value] of Object.entries(def)) {
      const schema = schemaOf(key);
      if (!schema || !present(value)) continue;
      if (validateWith(schema, value, 'default', ['default', key], sink, key)) merged[key] = value;
      else defaultsValid = false;
    }
  }
  for (const key of DEPRECATED_GLOBALS) {
    const value = globals[key];
    if (!present(value)) continue;
    const schema = schemaOf(key);
    if (schema && !validateWith(schema, value, '', [key], sink, key)) {
      defaultsValid = false;
      continue;
    }
    if (isHash(def) && present(def[key])) {
      add([key], `${key} is defined in top-level and \`default:\` entry`);
      defaultsValid = false;
      continue;
    }
    merged[key] = value;
  }
  if (defaultsValid) defaults = toJobDefaults(merged);

  return { stages: withEdgeStages(stages), variables, workflow, defaults };
}

/** `.pre` always first and `.post` always last. */
export function withEdgeStages(stages: readonly string[]): string[] {
  const middle = stages.filter((s, i) => s !== '.pre' && s !== '.post' && stages.indexOf(s) === i);
  return ['.pre', ...middle, '.post'];
}

function validateWorkflow(workflow: unknown, ctx: JobValidationContext,
  add: (path: Array<string | number>, message: string) => void): WorkflowConfig {
  if (!present(workflow)) return {};
  if (!isHash(workflow)) {
    add(['workflow'], 'workflow config should be a hash');
    return {};
  }
  const unknown = Object.keys(workflow).filter((k) => !['name', 'rules', 'auto_cancel'].includes(k));
  if (unknown.length) add(['workflow', unknown[0] ?? ''], `workflow config contains unknown keys: ${unknown.join(', ')}`);
  const out: { -readonly [K in keyof WorkflowConfig]: WorkflowConfig[K] } = {};
  const name = workflow.name;
  if (present(name)) {
    if (!isString(name) || name.length > 255) add(['workflow', 'name'], 'workflow name should be a string of at most 255 characters');
    else out.name = name;
  }
  if (present(workflow.rules)) {
    // Only validated rules are normalised (the normalisers trust their input's types).
    if (validateRules(workflow.rules, ['workflow', 'rules'], 'workflow:rules:rule', WORKFLOW_RULE_WHEN, WORKFLOW_RULE_KEYS,
      ctx, ctx.sink, add)) {
      const rules = toRules(workflow.rules);
      if (rules) out.rules = rules;
    }
  }
  if (present(workflow.auto_cancel) && validateWith(autoCancelSchema, workflow.auto_cancel, 'workflow', ['workflow', 'auto_cancel'], ctx.sink, 'auto_cancel')) {
    out.autoCancel = toStringMap(workflow.auto_cancel);
  }
  return out;
}
