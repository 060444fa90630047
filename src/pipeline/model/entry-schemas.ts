// zod schemas for the structured job keywords (image, services, cache, artifacts, environment,
// retry, parallel, needs, rules, only/except, inherit, trigger, hooks), with GitLab's messages.
// Built once at module load; validating a job never creates a schema.
import {
  WEEK_SECONDS, alsoRequire, arrayOf, arrayOfStrings, booleanSchema, byType, check, commandsSchema, durationSeconds, isArrayOfStrings,
  isBoolean, isDuration, isHash, isInteger, isNestedArrayOfStrings, isString, literal, oneOf, opt, refine, strict,
  stringOrArrayOfStrings, stringSchema, text,
} from './schema-kit.js';
import { variablesSchema } from './variables-schema.js';

const present = (v: unknown): boolean => v !== undefined && v !== null;

const PULL_POLICIES = ['always', 'never', 'if-not-present'];
const pullPolicySchema = refine<string | string[]>((v) => {
  const list = isString(v) ? [v] : isArrayOfStrings(v) ? v : undefined;
  if (!list) return 'config should be a string or an array of strings';
  const unknown = list.filter((p) => !PULL_POLICIES.includes(p));
  return unknown.length ? `config contains unknown values: ${unknown.join(', ')}` : undefined;
});

const executorOpts = {
  docker: opt(strict({ platform: opt(stringSchema('should be a string')), user: opt(stringSchema('should be a string')) },
    { error: 'config should be a hash' })),
  kubernetes: opt(strict({ user: opt(stringSchema('should be a string')) }, { error: 'config should be a hash' })),
};
const imageName = refine<string>((v) => (v === undefined || v === null || v === '' ? "can't be blank" : isString(v) ? undefined : 'should be a string'));
const ports = opt(check<unknown[]>(Array.isArray, 'config should be an array'));

const imageHash = strict({
  name: imageName,
  entrypoint: opt(arrayOfStrings('should be an array of strings')),
  pull_policy: opt(pullPolicySchema),
  ports,
  ...executorOpts,
});
export const imageSchema = byType<unknown>((v) => (isString(v) ? undefined : isHash(v) ? imageHash : 'config should be a hash or a string'));

const serviceHash = strict({
  name: imageName,
  entrypoint: opt(arrayOfStrings('should be an array of strings')),
  command: opt(arrayOfStrings('should be an array of strings')),
  alias: opt(stringSchema('should be a string')),
  variables: opt(variablesSchema([])),
  pull_policy: opt(pullPolicySchema),
  ports,
  ...executorOpts,
});
export const servicesSchema = arrayOf(
  byType<unknown>((v) => (isString(v) ? undefined : isHash(v) ? serviceHash : 'config should be a hash or a string')),
  { error: 'config should be a array' },
);

const cacheKeySchema = refine<string | { files: string[]; prefix?: string }>((v) => {
  if (isString(v) || typeof v === 'number') {
    const key = decodeURIComponentSafe(String(v));
    if (key.includes('/')) return 'config cannot contain the "/" character';
    if (key === '.' || key === '..') return 'config cannot be "." or ".."';
    return undefined;
  }
  if (!isHash(v)) return ':should be a hash, a string or a symbol';
  const unknown = Object.keys(v).filter((k) => k !== 'files' && k !== 'prefix');
  if (unknown.length) return `config contains unknown keys: ${unknown.join(', ')}`;
  if (!('files' in v)) return 'config missing required keys: files';
  if (!isArrayOfStrings(v.files) || v.files.length < 1 || v.files.length > 2) {
    return ':files config has to be an array of strings with 1 to 2 items';
  }
  if (v.prefix !== undefined && v.prefix !== null && !isString(v.prefix)) return ':prefix config should be a string';
  return undefined;
});

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

const WHEN_ARTIFACTS = ['on_success', 'on_failure', 'always'] as const;
const whenArtifacts = opt(oneOf(WHEN_ARTIFACTS, 'should be one of: on_success, on_failure, always'));

export const cacheHashSchema = strict({
  key: opt(cacheKeySchema),
  untracked: opt(booleanSchema()),
  paths: opt(arrayOfStrings()),
  when: whenArtifacts,
  policy: opt(check<string>((v) => isString(v) && (v === '' || /pull-push|push|pull|\$\w{1,255}/.test(v)),
    'should be a variable or one of: pull-push, push, pull')),
  unprotect: opt(booleanSchema()),
  fallback_keys: opt(refine<string[]>((v) => (!isArrayOfStrings(v) ? 'config should be an array of strings'
    : v.length > 5 ? 'has to many entries (maximum 5)' : undefined))),
}, { error: 'config should be a hash' });

const cacheListSchema = arrayOf(cacheHashSchema);
export const cacheSchema = byType<unknown>((v) => {
  if (isHash(v)) return cacheHashSchema;
  if (!Array.isArray(v)) return 'config can only be a Hash or an Array';
  return v.length > 4 ? 'config no more than 4 caches can be created' : cacheListSchema;
});

const REPORT_TYPES = new Set(['junit', 'codequality', 'sast', 'secret_detection', 'dependency_scanning',
  'container_scanning', 'dast', 'performance', 'browser_performance', 'load_performance', 'license_scanning',
  'metrics', 'lsif', 'dotenv', 'cobertura', 'terraform', 'accessibility', 'cluster_applications', 'requirements',
  'requirements_v2', 'coverage_fuzzing', 'api_fuzzing', 'cluster_image_scanning', 'coverage_report', 'cyclonedx',
  'annotations', 'repository_xray', 'jacoco', 'scip', 'sarif']);

const reportsSchema = refine<Record<string, unknown>>((v) => {
  if (!isHash(v)) return 'config should be a hash';
  const unknown = Object.keys(v).filter((k) => !REPORT_TYPES.has(k));
  if (unknown.length) return `config contains unknown keys: ${unknown.join(', ')}`;
  for (const [type, paths] of Object.entries(v)) {
    if (type === 'coverage_report') {
      if (!isHash(paths) || !isString(paths.path) || !['cobertura', 'jacoco'].includes(text(paths.coverage_format))) {
        return ':coverage_report config must contain coverage_format (cobertura or jacoco) and path';
      }
    } else if (!isString(paths) && !isArrayOfStrings(paths)) {
      return `:${type} should be an array of strings or a string`;
    }
  }
  return undefined;
});

export const artifactsSchema = alsoRequire(strict({
  name: opt(stringSchema('should be a string')),
  untracked: opt(booleanSchema('should be a boolean value')),
  paths: opt(arrayOfStrings('should be an array of strings')),
  reports: opt(reportsSchema),
  when: whenArtifacts,
  expire_in: opt(check<string>((v) => v === 'never' || isDuration(v), 'should be a duration')),
  expose_as: opt(check<string>((v) => isString(v) && v.length <= 100 && /^\w[-\w ]*$/.test(v),
    "can contain only letters, digits, '-', '_' and spaces")),
  exclude: opt(arrayOfStrings('should be an array of strings')),
  public: opt(booleanSchema('should be a boolean value')),
  access: opt(oneOf(['none', 'developer', 'all'], 'should be one of: none, developer, all')),
}, { error: 'config should be a hash' }), (v) => (present(v.public) && present(v.access)
  ? 'config these keys cannot be used together: access, public' : undefined));

const ENV_NAME = /^[a-zA-Z0-9 \-_/${}.]+$/;
const ENV_NAME_MESSAGE = "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'";
const ENV_KEYS = ['name', 'url', 'action', 'on_stop', 'auto_stop_in', 'kubernetes', 'deployment_tier'];
const ENV_ACTIONS = ['start', 'stop', 'prepare', 'verify', 'access'];
const ENV_TIERS = ['production', 'staging', 'testing', 'development', 'other'];

/** Messages are about the environment entry itself ("jobs:x:environment name ..."). */
export const environmentSchema = refine<unknown>((v) => {
  if (!isString(v) && !isHash(v)) return 'config should be a hash or a string';
  const e: Record<string, unknown> = isString(v) ? { name: v } : v;
  const unknown = Object.keys(e).filter((k) => !ENV_KEYS.includes(k));
  if (unknown.length) return `config contains unknown keys: ${unknown.join(', ')}`;
  const name = e.name;
  if (!present(name) || name === '') return ":name can't be blank";
  if (!isString(name) || !ENV_NAME.test(name) || name.startsWith('/') || name.endsWith('/')) return `:name ${ENV_NAME_MESSAGE}`;
  if (present(e.url) && (!isString(e.url) || e.url.length > 255)) return ':url should be a string';
  if (present(e.action) && !ENV_ACTIONS.includes(text(e.action))) return ':action should be start, stop, prepare, verify, or access';
  if (present(e.on_stop) && !isString(e.on_stop)) return ':on stop should be a string';
  if (present(e.auto_stop_in) && !isDuration(e.auto_stop_in) && !(isString(e.auto_stop_in) && e.auto_stop_in.includes('$'))) {
    return ':auto stop in should be a duration';
  }
  if (present(e.kubernetes) && !isHash(e.kubernetes)) return ':kubernetes should be a hash';
  if (present(e.deployment_tier) && !ENV_TIERS.includes(text(e.deployment_tier))) {
    return `:deployment tier must be one of ${ENV_TIERS.join(', ')}`;
  }
  return undefined;
});

export const RETRY_WHEN = new Set(['always', 'unknown_failure', 'script_failure', 'api_failure',
  'stuck_or_timeout_failure', 'runner_system_failure', 'missing_dependency_failure', 'runner_unsupported',
  'stale_schedule', 'job_execution_timeout', 'archived_failure', 'unmet_prerequisites', 'scheduler_failure',
  'data_integrity_failure', 'forward_deployment_failure', 'user_blocked', 'project_deleted', 'ci_quota_exceeded',
  'pipeline_loop_detected', 'no_matching_runner', 'trace_size_exceeded', 'builds_disabled',
  'environment_creation_failure', 'deployment_rejected', 'failed_outdated_deployment_job',
  'protected_environment_failure', 'insufficient_bridge_permissions', 'downstream_bridge_project_not_found',
  'invalid_bridge_trigger', 'upstream_bridge_project_not_found', 'bridge_pipeline_is_child_pipeline',
  'downstream_pipeline_creation_failed', 'secrets_provider_not_found', 'reached_max_descendant_pipelines_depth',
  'reached_max_pipeline_hierarchy_size', 'job_token_expired', 'image_pull_failure', 'runner_configuration_error']);

const retryMax = refine<number>((v) => (!isInteger(v) ? '=retry max must be an integer'
  : v < 0 ? '=retry max must be greater than or equal to 0'
    : v > 2 ? '=retry max must be less than or equal to 2' : undefined));
/** Validate with location '' and keyPrefix 'retry': GitLab's retry messages carry no job prefix. */
const retryHash = strict({
    max: opt(retryMax),
    when: opt(refine<string | string[]>((v) => {
      if (isString(v)) return RETRY_WHEN.has(v) ? undefined : '=retry when is not included in the list';
      if (!isArrayOfStrings(v)) return '=retry when should be an array of strings or a string';
      const unknown = v.filter((w) => !RETRY_WHEN.has(w));
      return unknown.length ? `=retry when contains unknown values: ${unknown.join(', ')}` : undefined;
    })),
    exit_codes: opt(check<number | number[]>((v) => isInteger(v) || (Array.isArray(v) && v.every(isInteger)),
      '=retry exit codes should be an array of integers or an integer')),
});
export const retrySchema = byType<unknown>((v) => {
  if (isHash(v)) return retryHash;
  if (!isInteger(v)) return '=retry config has to be either an integer or a hash';
  if (v < 0) return '=retry config must be greater than or equal to 0';
  return v > 2 ? '=retry config must be less than or equal to 2' : undefined;
});

const matrixSchema = refine<Array<Record<string, string | string[]>>>((v) => {
  if (!Array.isArray(v) || !v.every(isHash)) return 'config should be an array of hashes';
  let total = 0;
  for (const entry of v) {
    let product = 1;
    for (const value of Object.values(entry)) {
      if (isString(value) || typeof value === 'number') continue;
      if (!Array.isArray(value) || !value.every((x) => isString(x) || typeof x === 'number')) {
        return 'config should be a hash of key value pairs, value can be an array';
      }
      product *= value.length;
    }
    total += product;
  }
  return total > 200 ? 'config generates too many jobs (maximum is 200)' : undefined;
});

const matrixHash = strict({ matrix: matrixSchema });
export function parallelSchema(allowNumber: boolean) {
  return byType<unknown>((v) => {
    if (isHash(v)) return 'matrix' in v ? matrixHash : 'config missing required keys: matrix';
    if (typeof v !== 'number') return ':should be an integer or a hash';
    if (!allowNumber) return 'config cannot use "parallel: <number>".';
    if (!Number.isInteger(v)) return 'config must be an integer';
    if (v < 1) return 'config must be greater than or equal to 1';
    return v > 200 ? 'config must be less than or equal to 200' : undefined;
  });
}

const needMatrix = opt(strict({ matrix: matrixSchema }, { error: 'config should be a hash' }));
/** One `needs` entry; validated with keyPrefix `needs:need`. */
const needJobHash = strict({
  job: check<string>((v) => isString(v) && v !== '', "can't be blank"),
  artifacts: opt(booleanSchema('should be a boolean value')),
  optional: opt(booleanSchema('should be a boolean value')),
  parallel: needMatrix,
  pipeline: opt(stringSchema('should be a string')),
  project: opt(stringSchema('should be a string')),
  ref: opt(stringSchema('should be a string')),
});
const needPipelineHash = strict({ pipeline: stringSchema('should be a string'), job: opt(stringSchema('should be a string')), artifacts: opt(booleanSchema('should be a boolean value')) });
export const needSchema = byType<unknown>((v) => {
  if (isString(v) && v !== '') return undefined;
  if (isHash(v) && 'job' in v) return needJobHash;
  if (isHash(v) && 'pipeline' in v) return needPipelineHash;
  return ':has an unsupported type';
});

const filesRule = (hashKeys: string[]) => refine<unknown>((v) => {
  if (isArrayOfStrings(v)) return v.length > 50 ? 'config has too many entries (maximum 50)' : undefined;
  if (!isHash(v)) return 'config should be an array or a hash';
  const unknown = Object.keys(v).filter((k) => !hashKeys.includes(k));
  if (unknown.length) return `config contains unknown keys: ${unknown.join(', ')}`;
  if (!isArrayOfStrings(v.paths)) return ':paths should be an array of strings';
  for (const k of hashKeys.filter((x) => x !== 'paths')) {
    if (v[k] !== undefined && v[k] !== null && !isString(v[k])) return `:${k.replace(/_/g, ' ')} should be a string`;
  }
  return undefined;
});

const ruleVariables = variablesSchema([]);
/** workflow:auto_cancel, and the same in a workflow rule. */
export const autoCancelSchema = strict({
  on_new_commit: opt(oneOf(['conservative', 'interruptible', 'none'], 'should be one of: conservative, interruptible, none')),
  on_job_failure: opt(oneOf(['none', 'all'], 'should be one of: none, all')),
}, { error: 'config should be a hash' });
/** One rule (job or workflow), validated with keyPrefix `rules:rule`; `when` values are checked by the caller. */
export const ruleSchema = strict({
  if: opt(stringSchema('invalid expression syntax')),
  changes: opt(filesRule(['paths', 'compare_to'])),
  exists: opt(filesRule(['paths', 'project', 'ref'])),
  when: opt(stringSchema('unknown value')),
  start_in: opt(refine<string>((v) => (!isDuration(v) ? 'should be a duration'
    : (durationSeconds(v) ?? Infinity) > WEEK_SECONDS ? 'should not exceed the limit' : undefined))),
  allow_failure: opt(booleanSchema('should be a boolean value')),
  variables: opt(ruleVariables),
  needs: opt(check<unknown[]>((v) => Array.isArray(v) || isHash(v), 'config can only be a Hash or an Array')),
  interruptible: opt(booleanSchema('should be a boolean value')),
  auto_cancel: opt(autoCancelSchema),
}, { error: 'config should be a hash' });

export const rulesListSchema = check<unknown[]>((v) => isNestedArrayOfHashes(v, 10),
  'should be an array containing hashes and arrays of hashes');

function isNestedArrayOfHashes(v: unknown, level: number): boolean {
  if (!Array.isArray(v) || level < 1) return false;
  return v.every((item) => isHash(item) || isNestedArrayOfHashes(item, level - 1));
}

const refsSchema = check<string[]>((v) => isArrayOfStrings(v) && v.every(isValidRefPattern),
  'should be an array of strings or regular expressions using re2 syntax');
function isValidRefPattern(ref: string): boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(ref);
  if (!m) return true;
  try { new RegExp(m[1] ?? '', (m[2] ?? '').replace(/[^imsu]/g, '')); return true; } catch { return false; }
}
const policyHash = strict({
  refs: opt(refsSchema),
  variables: opt(arrayOfStrings('should be an array of strings')),
  changes: opt(arrayOfStrings('should be an array of strings')),
  kubernetes: opt(literal('active', 'unknown value')),
});
export const policySchema = byType<unknown>((v) => {
  if (isHash(v)) return policyHash;
  if (!Array.isArray(v)) return ':has to be either an array of conditions or a hash';
  return isArrayOfStrings(v) && v.every(isValidRefPattern) ? undefined
    : 'config should be an array of strings or regular expressions using re2 syntax';
});

const DEFAULT_KEYS = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image',
  'interruptible', 'retry', 'services', 'tags', 'timeout'];
export const DEFAULTABLE_KEYS: readonly string[] = DEFAULT_KEYS;
export const inheritSchema = strict({
  default: opt(refine<boolean | string[]>((v) => {
    if (isBoolean(v)) return undefined;
    if (!isArrayOfStrings(v)) return ':should be a bool or array of strings';
    const unknown = v.filter((k) => !DEFAULT_KEYS.includes(k));
    return unknown.length ? `config contains unknown values: ${unknown.join(', ')}` : undefined;
  })),
  variables: opt(check<boolean | string[]>((v) => isBoolean(v) || isArrayOfStrings(v), ':should be a bool or array of strings')),
}, { error: 'config should be a hash' });

const forwardSchema = opt(strict({
  yaml_variables: opt(booleanSchema('should be a boolean value')),
  pipeline_variables: opt(booleanSchema('should be a boolean value')),
}, { error: 'config should be a hash' }));
const strategy = opt(literal('depend', 'should be depend'));
const crossProjectTrigger = strict({
  project: check<string>((v) => isString(v) && v !== '', "can't be blank"),
  branch: opt(stringSchema('should be a string')), strategy, forward: forwardSchema,
});
const childTrigger = strict({
  include: check<unknown>((v) => isString(v) || Array.isArray(v) || isHash(v), 'config should be a string or an array'),
  strategy, forward: forwardSchema,
});
export const triggerSchema = byType<unknown>((v) => {
  if (isString(v)) return v === '' ? "config can't be blank" : undefined;
  if (!isHash(v)) return ':has to be either a string or a hash';
  return 'include' in v ? childTrigger : crossProjectTrigger;
});

export const hooksSchema = strict({ pre_get_sources_script: opt(commandsSchema) }, { error: 'config should be a hash' });

export const idTokensSchema = refine<Record<string, { aud: string | string[] }>>((v) => {
  if (!isHash(v)) return 'config should be a hash';
  for (const [name, token] of Object.entries(v)) {
    if (!isHash(token) || !(isString(token.aud) || isArrayOfStrings(token.aud))) {
      return `:${name} config aud should be an array of strings or a string`;
    }
  }
  return undefined;
});

export const releaseSchema = strict({
  tag_name: check<string>((v) => isString(v) && v !== '', "can't be blank"),
  tag_message: opt(stringSchema('should be a string')),
  name: opt(stringSchema('should be a string')),
  description: opt(stringSchema('should be a string')),
  ref: opt(stringSchema('should be a string')),
  milestones: opt(stringOrArrayOfStrings('should be an array of strings or a string')),
  released_at: opt(stringSchema('should be a string')),
  assets: opt(check<Record<string, unknown>>(isHash, 'config should be a hash')),
}, { error: 'config should be a hash' });

export const coverageSchema = check<string>((v) => {
  if (!isString(v)) return false;
  const m = /^\/(.*)\/$/s.exec(v);
  if (!m) return false;
  try { new RegExp(m[1] ?? ''); return true; } catch { return false; }
}, 'config must be a regular expression with re2 syntax');

const allowFailureHash = strict({
  exit_codes: check<number | number[]>((v) => isInteger(v) || (Array.isArray(v) && v.every(isInteger)),
    'should be an array of integers or an integer'),
});
export const allowFailureSchema = byType<unknown>((v) => (isBoolean(v) ? undefined : isHash(v) ? allowFailureHash
  : 'config should be a hash or a boolean value'));

export const runSchema = check<unknown[]>((v) => Array.isArray(v) && v.every(isHash), 'config should be an array of hashes');
export const pagesSchema = check<unknown>((v) => isBoolean(v) || isHash(v), 'config should be a boolean value or a hash');

export { isNestedArrayOfStrings };
