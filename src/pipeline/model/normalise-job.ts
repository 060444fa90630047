// Builds the normalised JobConfig from a validated job mapping, applying `default:` (and the deprecated
// top-level image/services/cache/before_script/after_script) for keys the job does not set.
import type { JobWhen } from '../spec/job-spec.js';
import type { JobConfig } from './pipeline-config.js';
import {
  toAllowFailure, toArtifactSpec, toCacheSpecs, toCommands, toCoverage, toEnvironment, toImageSpec, toInherit,
  toNeeds, toParallel, toPolicy, toRetrySpec, toRules, toServiceSpecs,
} from './normalise-entries.js';
import { isArrayOfStrings, isBoolean, isHash, isString, text } from './schema-kit.js';
import { toVariableConfigs } from './variables-schema.js';

/** The default values, normalised once and shared by every job that inherits them. */
export interface JobDefaults {
  /** The default keys that were written (in `default:` or as deprecated globals). */
  readonly keys: ReadonlySet<string>;
  readonly values: Readonly<Partial<Pick<JobConfig,
    'beforeScript' | 'afterScript' | 'image' | 'services' | 'cache' | 'artifacts' | 'interruptible' | 'retry'
    | 'tags' | 'timeout' | 'hooks' | 'idTokens'>>>;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** Normalises the validated `default:` mapping. */
export function toJobDefaults(raw: Record<string, unknown>): JobDefaults {
  const keys = new Set(Object.keys(raw).filter((k) => present(raw[k])));
  const values: { -readonly [K in keyof JobDefaults['values']]: JobDefaults['values'][K] } = {};
  if (keys.has('before_script')) values.beforeScript = toCommands(raw.before_script);
  if (keys.has('after_script')) values.afterScript = toCommands(raw.after_script);
  if (keys.has('image')) values.image = toImageSpec(raw.image);
  if (keys.has('services')) values.services = toServiceSpecs(raw.services);
  if (keys.has('cache')) values.cache = toCacheSpecs(raw.cache);
  if (keys.has('artifacts')) values.artifacts = toArtifactSpec(raw.artifacts);
  if (isBoolean(raw.interruptible)) values.interruptible = raw.interruptible;
  if (keys.has('retry')) values.retry = toRetrySpec(raw.retry);
  if (isArrayOfStrings(raw.tags)) values.tags = raw.tags;
  if (keys.has('timeout')) values.timeout = text(raw.timeout);
  if (isHash(raw.hooks)) values.hooks = { preGetSourcesScript: toCommands(raw.hooks.pre_get_sources_script) };
  if (isHash(raw.id_tokens)) values.idTokens = raw.id_tokens;
  return { keys, values };
}

export const NO_DEFAULTS: JobDefaults = { keys: new Set(), values: {} };
const NO_HOOKS: JobConfig['hooks'] = { preGetSourcesScript: [] };

function inheritsDefault(key: string, raw: Record<string, unknown>, kind: 'job' | 'bridge', defaults: JobDefaults,
  inherit: JobConfig['inherit']): boolean {
  if (!defaults.keys.has(key) || present(raw[key])) return false;
  if (kind === 'bridge' && key !== 'interruptible') return false;
  return inherit.default === true || (Array.isArray(inherit.default) && inherit.default.includes(key));
}

/**
 * Normalised forms of raw values shared by many jobs (anchors, `extends` and `!reference` make
 * jobs share one mapping or list), made once per validation run. The results are readonly.
 */
export class NormaliseMemo {
  private readonly byFn = new Map<(v: unknown) => unknown, Map<object, unknown>>();

  of<T>(fn: (v: unknown) => T, v: unknown): T {
    if (typeof v !== 'object' || v === null) return fn(v);
    let cache = this.byFn.get(fn);
    if (!cache) this.byFn.set(fn, cache = new Map());
    if (cache.has(v)) return cache.get(v) as T;
    const out = fn(v);
    cache.set(v, out);
    return out;
  }
}

export function normaliseJob(
  name: string,
  raw: Record<string, unknown>,
  kind: 'job' | 'bridge',
  defaults: JobDefaults,
  source: { file: string; line: number },
  memo: NormaliseMemo = new NormaliseMemo(),
): JobConfig {
  const inherit = memo.of(toInherit, raw.inherit);
  // Whether the job takes `key` from the defaults (written there, not in the job, inherited).
  const uses = (key: string): boolean => defaults.keys.size > 0 && inheritsDefault(key, raw, kind, defaults, inherit);
  const d = defaults.values;

  const job: { -readonly [K in keyof JobConfig]: JobConfig[K] } = {
    name,
    kind,
    stage: isString(raw.stage) ? raw.stage : isString(raw.type) ? raw.type : 'test',
    beforeScript: uses('before_script') ? d.beforeScript ?? [] : memo.of(toCommands, raw.before_script),
    script: memo.of(toCommands, raw.script),
    afterScript: uses('after_script') ? d.afterScript ?? [] : memo.of(toCommands, raw.after_script),
    hooks: uses('hooks') ? d.hooks ?? NO_HOOKS
      : isHash(raw.hooks) ? { preGetSourcesScript: toCommands(raw.hooks.pre_get_sources_script) } : NO_HOOKS,
    services: uses('services') ? d.services ?? [] : memo.of(toServiceSpecs, raw.services),
    cache: uses('cache') ? d.cache ?? [] : memo.of(toCacheSpecs, raw.cache),
    variables: memo.of(toVariableConfigs, raw.variables),
    inherit,
    tags: uses('tags') ? d.tags ?? [] : isArrayOfStrings(raw.tags) ? raw.tags : [],
    source,
  };
  const image = uses('image') ? d.image : memo.of(toImageSpec, raw.image);
  if (image) job.image = image;
  const artifacts = uses('artifacts') ? d.artifacts : memo.of(toArtifactSpec, raw.artifacts);
  if (artifacts) job.artifacts = artifacts;
  const interruptible = uses('interruptible') ? d.interruptible : isBoolean(raw.interruptible) ? raw.interruptible : undefined;
  if (interruptible !== undefined) job.interruptible = interruptible;
  const retry = uses('retry') ? d.retry : toRetrySpec(raw.retry);
  if (retry) job.retry = retry;
  const timeout = uses('timeout') ? d.timeout : present(raw.timeout) ? text(raw.timeout) : undefined;
  if (timeout !== undefined) job.timeout = timeout;
  const idTokens = uses('id_tokens') ? d.idTokens : isHash(raw.id_tokens) ? raw.id_tokens : undefined;
  if (idTokens) job.idTokens = idTokens;

  if (Array.isArray(raw.run)) job.run = raw.run;
  const rules = memo.of(toRules, raw.rules);
  if (rules) job.rules = rules;
  const only = toPolicy(raw.only);
  if (only) job.only = only;
  const except = toPolicy(raw.except);
  if (except) job.except = except;
  if (isString(raw.when)) job.when = raw.when as JobWhen;
  if (present(raw.start_in)) job.startIn = text(raw.start_in);
  const allowFailure = toAllowFailure(raw.allow_failure);
  if (allowFailure !== undefined) job.allowFailure = allowFailure;
  if (present(raw.needs)) job.needs = toNeeds(raw.needs);
  if (isArrayOfStrings(raw.dependencies)) job.dependencies = raw.dependencies;
  const parallel = toParallel(raw.parallel);
  if (parallel !== undefined) job.parallel = parallel;
  if (isString(raw.resource_group)) job.resourceGroup = raw.resource_group;
  const environment = memo.of(toEnvironment, raw.environment);
  if (environment) job.environment = environment;
  const coverage = toCoverage(raw.coverage);
  if (coverage !== undefined) job.coverage = coverage;
  if (isString(raw.trigger)) job.trigger = { project: raw.trigger };
  else if (isHash(raw.trigger)) job.trigger = raw.trigger;
  if (isHash(raw.secrets)) job.secrets = raw.secrets;
  if (isHash(raw.release)) job.release = raw.release;
  if (isString(raw.manual_confirmation)) job.manualConfirmation = raw.manual_confirmation;
  return job;
}
