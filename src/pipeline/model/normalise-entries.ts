// Converts validated keyword values into their normalised forms (the spec types where one exists).
// Inputs have passed the schemas in entry-schemas.ts, so the checks here only narrow types.
import type {
  ArtifactSpec, ArtifactWhen, CachePolicy, CacheSpec, ImageSpec, JobVariable, PullPolicy, RetrySpec, ServiceSpec,
} from '../spec/job-spec.js';
import type {
  EnvironmentConfig, InheritConfig, NeedConfig, ParallelConfig, PolicyConfig, RuleConfig, RuleFilesConfig,
} from './pipeline-config.js';
import { flattenStrings, isArrayOfStrings, isBoolean, isHash, isInteger, isString, text } from './schema-kit.js';
import { flattenRules } from './validate-job.js';
import { toStringMap, toVariableConfigs } from './variables-schema.js';

const str = (v: unknown): string | undefined => (isString(v) ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown): string[] => (isString(v) ? [v] : isArrayOfStrings(v) ? v : []);

export function toCommands(v: unknown): string[] {
  return flattenStrings(v);
}

function pullPolicies(v: unknown): PullPolicy[] {
  return strings(v).filter((p): p is PullPolicy => p === 'always' || p === 'never' || p === 'if-not-present');
}

function imageFields(v: Record<string, unknown>): ImageSpec {
  const spec: ImageSpec = { name: str(v.name) ?? '', pullPolicy: pullPolicies(v.pull_policy) };
  if (isArrayOfStrings(v.entrypoint)) spec.entrypoint = v.entrypoint;
  if (isHash(v.docker)) {
    spec.docker = {
      ...(isString(v.docker.platform) ? { platform: v.docker.platform } : {}),
      ...(isString(v.docker.user) ? { user: v.docker.user } : {}),
    };
  }
  if (isHash(v.kubernetes) && isString(v.kubernetes.user)) spec.kubernetes = { user: v.kubernetes.user };
  return spec;
}

export function toImageSpec(v: unknown): ImageSpec | undefined {
  if (isString(v)) return { name: v, pullPolicy: [] };
  return isHash(v) ? imageFields(v) : undefined;
}

export function toServiceSpecs(v: unknown): ServiceSpec[] {
  if (!Array.isArray(v)) return [];
  return v.map((item): ServiceSpec => {
    if (isString(item)) return { name: item, pullPolicy: [], aliases: [], variables: [] };
    const h = isHash(item) ? item : {};
    const spec: ServiceSpec = {
      ...imageFields(h),
      // Aliases are never variable-expanded; several may be given separated by commas or spaces.
      aliases: (str(h.alias) ?? '').split(/[\s,]+/).filter(Boolean),
      variables: toVariableConfigs(h.variables).map((x): JobVariable => ({
        key: x.key, value: x.value, public: true, masked: false, file: false, raw: x.raw,
      })),
    };
    if (isArrayOfStrings(h.command)) spec.command = h.command;
    return spec;
  });
}

const artifactWhen = (v: unknown): ArtifactWhen => (v === 'on_failure' || v === 'always' ? v : 'on_success');

export function toCacheSpecs(v: unknown): CacheSpec[] {
  const list = Array.isArray(v) ? v : isHash(v) ? [v] : [];
  return list.filter(isHash).map((c): CacheSpec => {
    const spec: CacheSpec = {
      key: 'default',
      paths: strings(c.paths),
      untracked: c.untracked === true,
      policy: (isString(c.policy) && c.policy !== '' ? c.policy : 'pull-push') as CachePolicy,
      when: artifactWhen(c.when),
      fallbackKeys: strings(c.fallback_keys),
      unprotect: c.unprotect === true,
    };
    if (isHash(c.key)) {
      spec.keyFiles = strings(c.key.files);
      const prefix = str(c.key.prefix);
      if (prefix !== undefined) spec.keyPrefix = prefix;
      // The key is derived from the files' last commits at run time; this is GitLab's fallback.
      spec.key = prefix !== undefined ? `${prefix}-default` : 'default';
    } else {
      const key = str(c.key);
      if (key !== undefined && key !== '') spec.key = key;
    }
    return spec;
  });
}

export function toArtifactSpec(v: unknown): ArtifactSpec | undefined {
  if (!isHash(v)) return undefined;
  const reports: Record<string, string[]> = {};
  if (isHash(v.reports)) {
    for (const [type, paths] of Object.entries(v.reports)) {
      if (type === 'coverage_report' && isHash(paths)) reports[type] = strings(paths.path);
      else reports[type] = strings(paths);
    }
  }
  const spec: ArtifactSpec = {
    name: str(v.name) ?? 'artifacts',
    paths: strings(v.paths),
    exclude: strings(v.exclude),
    untracked: v.untracked === true,
    when: artifactWhen(v.when),
    reports,
  };
  const expire = str(v.expire_in);
  if (expire !== undefined) spec.expireIn = expire;
  return spec;
}

export function toRetrySpec(v: unknown): RetrySpec | undefined {
  if (isInteger(v)) return { max: v, when: ['always'], exitCodes: [] };
  if (!isHash(v)) return undefined;
  const codes = v.exit_codes;
  return {
    max: isInteger(v.max) ? v.max : 0,
    when: isString(v.when) ? [v.when] : isArrayOfStrings(v.when) ? v.when : ['always'],
    exitCodes: isInteger(codes) ? [codes] : Array.isArray(codes) ? codes.filter(isInteger) : [],
  };
}

export function toEnvironment(v: unknown): EnvironmentConfig | undefined {
  if (isString(v)) return { name: v, action: 'start' };
  if (!isHash(v)) return undefined;
  const action = str(v.action);
  const env: { -readonly [K in keyof EnvironmentConfig]: EnvironmentConfig[K] } = {
    name: str(v.name) ?? '',
    action: action === 'stop' || action === 'prepare' || action === 'verify' || action === 'access' ? action : 'start',
  };
  if (isString(v.url)) env.url = v.url;
  if (isString(v.on_stop)) env.onStop = v.on_stop;
  const autoStop = str(v.auto_stop_in);
  if (autoStop !== undefined) env.autoStopIn = autoStop;
  if (isString(v.deployment_tier)) env.deploymentTier = v.deployment_tier;
  if (isHash(v.kubernetes)) env.kubernetes = v.kubernetes;
  return env;
}

function toMatrix(v: unknown): Array<Record<string, string[]>> | undefined {
  if (!isHash(v) || !Array.isArray(v.matrix)) return undefined;
  return v.matrix.filter(isHash).map((entry) => {
    const out: Record<string, string[]> = {};
    for (const [k, val] of Object.entries(entry)) out[k] = Array.isArray(val) ? val.map(text) : [text(val)];
    return out;
  });
}

export function toNeeds(v: unknown): NeedConfig[] {
  const list = Array.isArray(v) ? v.flat(10) : isHash(v) ? [v] : [];
  const out: NeedConfig[] = [];
  for (const need of list) {
    if (isString(need)) {
      out.push({ job: need, artifacts: true, optional: false });
      continue;
    }
    if (!isHash(need)) continue;
    const matrix = toMatrix(need.parallel);
    out.push({
      job: str(need.job) ?? '',
      artifacts: need.artifacts !== false,
      optional: need.optional === true,
      ...(matrix ? { matrix } : {}),
      ...(isString(need.project) ? { project: need.project } : {}),
      ...(isString(need.pipeline) ? { pipeline: need.pipeline } : {}),
      ...(isString(need.ref) ? { ref: need.ref } : {}),
    });
  }
  return out;
}

function toFilesRule(v: unknown): RuleFilesConfig | undefined {
  if (isArrayOfStrings(v)) return v;
  if (!isHash(v)) return undefined;
  return {
    paths: strings(v.paths),
    ...(isString(v.compare_to) ? { compare_to: v.compare_to } : {}),
    ...(isString(v.project) ? { project: v.project } : {}),
    ...(isString(v.ref) ? { ref: v.ref } : {}),
  };
}

export function toRules(v: unknown): RuleConfig[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return flattenRules(v).map((r) => {
    const rule: { -readonly [K in keyof RuleConfig]: RuleConfig[K] } = {};
    if (isString(r.if)) rule.if = r.if;
    const changes = toFilesRule(r.changes);
    if (changes) rule.changes = changes;
    const exists = toFilesRule(r.exists);
    if (exists) rule.exists = exists;
    if (isString(r.when)) rule.when = r.when;
    const startIn = str(r.start_in);
    if (startIn !== undefined) rule.start_in = startIn;
    if (isBoolean(r.allow_failure)) rule.allow_failure = r.allow_failure;
    if (isHash(r.variables)) rule.variables = toStringMap(r.variables);
    if (r.needs !== undefined && r.needs !== null) rule.needs = toNeeds(r.needs);
    if (isBoolean(r.interruptible)) rule.interruptible = r.interruptible;
    if (isHash(r.auto_cancel)) rule.auto_cancel = toStringMap(r.auto_cancel);
    return rule;
  });
}

export function toPolicy(v: unknown): PolicyConfig | undefined {
  if (Array.isArray(v)) return { refs: strings(v) };
  if (!isHash(v)) return undefined;
  return {
    ...(v.refs !== undefined && v.refs !== null ? { refs: strings(v.refs) } : {}),
    ...(v.variables !== undefined && v.variables !== null ? { variables: strings(v.variables) } : {}),
    ...(v.changes !== undefined && v.changes !== null ? { changes: strings(v.changes) } : {}),
    ...(isString(v.kubernetes) ? { kubernetes: v.kubernetes } : {}),
  };
}

export function toParallel(v: unknown): ParallelConfig | undefined {
  if (isInteger(v)) return v;
  const matrix = isHash(v) && Array.isArray(v.matrix) ? v.matrix.filter(isHash) : undefined;
  if (!matrix) return undefined;
  return {
    matrix: matrix.map((entry) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, val] of Object.entries(entry)) out[k] = Array.isArray(val) ? val.map(text) : text(val);
      return out;
    }),
  };
}

export function toInherit(v: unknown): InheritConfig {
  const h = isHash(v) ? v : {};
  const pick = (x: unknown): boolean | string[] => (isBoolean(x) ? x : isArrayOfStrings(x) ? x : true);
  return { default: pick(h.default), variables: pick(h.variables) };
}

export function toAllowFailure(v: unknown): boolean | { exitCodes: number[] } | undefined {
  if (isBoolean(v)) return v;
  if (!isHash(v)) return undefined;
  const codes = v.exit_codes;
  return { exitCodes: isInteger(codes) ? [codes] : Array.isArray(codes) ? codes.filter(isInteger) : [] };
}

/** `coverage: /regex/` → the regex source without the slashes. */
export function toCoverage(v: unknown): string | undefined {
  return isString(v) ? v.replace(/^\/(.*)\/$/s, '$1') : undefined;
}
