// The validated, normalised configuration: what the compiler reads. Everything here is independent
// of the pipeline being created (ref, source, variables); rules and expansion happen in the compiler.
import type { SourcePosition } from '../errors.js';
import type {
  ArtifactSpec, CacheSpec, ImageSpec, JobWhen, RetrySpec, ServiceSpec,
} from '../spec/job-spec.js';

/** One YAML variable as written (`value` already stringified). */
export interface VariableConfig {
  readonly key: string;
  readonly value: string;
  /** `expand: false`. */
  readonly raw: boolean;
  /** Top-level long form only. */
  readonly description?: string;
  readonly options?: readonly string[];
}

/** `rules:changes` / `rules:exists` as written (a list of globs or the hash form). */
export type RuleFilesConfig =
  | readonly string[]
  | { readonly paths: readonly string[]; readonly compare_to?: string; readonly project?: string; readonly ref?: string };

/** One rule with GitLab's YAML key names, as H3's `evaluateRules` takes it. */
export interface RuleConfig {
  readonly if?: string;
  readonly changes?: RuleFilesConfig;
  readonly exists?: RuleFilesConfig;
  readonly when?: string;
  readonly start_in?: string;
  readonly allow_failure?: boolean;
  readonly variables?: Readonly<Record<string, string>>;
  readonly needs?: readonly NeedConfig[];
  readonly interruptible?: boolean;
  readonly auto_cancel?: Readonly<Record<string, string>>;
}

/** `only` / `except` in their hash form (an array is `{ refs }`). */
export interface PolicyConfig {
  readonly refs?: readonly string[];
  readonly variables?: readonly string[];
  readonly changes?: readonly string[];
  readonly kubernetes?: string;
}

export interface NeedConfig {
  /** Needed job name (for `needs:pipeline`/`needs:project` entries: the job in that pipeline/project). */
  readonly job: string;
  readonly artifacts: boolean;
  readonly optional: boolean;
  /** `needs:parallel:matrix`: only these instances of a matrix job. */
  readonly matrix?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
  /** Cross-project (`project`) or parent/child (`pipeline`) need: cannot be resolved locally. */
  readonly project?: string;
  readonly pipeline?: string;
  readonly ref?: string;
}

export type ParallelConfig =
  | number
  | { readonly matrix: ReadonlyArray<Readonly<Record<string, string | readonly string[]>>> };

export interface EnvironmentConfig {
  readonly name: string;
  readonly url?: string;
  readonly action: 'start' | 'prepare' | 'stop' | 'verify' | 'access';
  readonly onStop?: string;
  readonly autoStopIn?: string;
  readonly deploymentTier?: string;
  readonly kubernetes?: Readonly<Record<string, unknown>>;
}

export interface InheritConfig {
  /** `inherit:default`: true, false or the default keys to inherit. */
  readonly default: boolean | readonly string[];
  /** `inherit:variables`: true, false or the global variable names to inherit. */
  readonly variables: boolean | readonly string[];
}

export interface JobConfig {
  readonly name: string;
  /** `job` has script/run; `bridge` has trigger. */
  readonly kind: 'job' | 'bridge';
  /** `stage:` (or deprecated `type:`), default `test`. */
  readonly stage: string;
  readonly beforeScript: readonly string[];
  readonly script: readonly string[];
  readonly afterScript: readonly string[];
  readonly run?: readonly unknown[];
  readonly hooks: { readonly preGetSourcesScript: readonly string[] };
  readonly image?: ImageSpec;
  readonly services: readonly ServiceSpec[];
  readonly cache: readonly CacheSpec[];
  readonly artifacts?: ArtifactSpec;
  /** The job's own `variables:` in file order. */
  readonly variables: readonly VariableConfig[];
  readonly inherit: InheritConfig;
  readonly rules?: readonly RuleConfig[];
  /** Explicit `only`/`except` (the implicit default is applied by the compiler). */
  readonly only?: PolicyConfig;
  readonly except?: PolicyConfig;
  /** Job-level `when` when written. */
  readonly when?: JobWhen;
  readonly startIn?: string;
  /** Job-level `allow_failure` when written. */
  readonly allowFailure?: boolean | { readonly exitCodes: readonly number[] };
  readonly needs?: readonly NeedConfig[];
  readonly dependencies?: readonly string[];
  readonly parallel?: ParallelConfig;
  readonly retry?: RetrySpec;
  /** Duration text as written (`1h 30m`). */
  readonly timeout?: string;
  readonly tags: readonly string[];
  readonly interruptible?: boolean;
  readonly resourceGroup?: string;
  readonly environment?: EnvironmentConfig;
  /** Regex source without the slashes. */
  readonly coverage?: string;
  readonly trigger?: Readonly<Record<string, unknown>>;
  readonly secrets?: Readonly<Record<string, unknown>>;
  readonly idTokens?: Readonly<Record<string, unknown>>;
  readonly release?: Readonly<Record<string, unknown>>;
  readonly manualConfirmation?: string;
  readonly source: { readonly file: string; readonly line: number };
}

export interface WorkflowConfig {
  readonly name?: string;
  readonly rules?: readonly RuleConfig[];
  readonly autoCancel?: Readonly<Record<string, string>>;
  /** Where `workflow:` is written (computed on first read); absent when there is no `workflow:`. */
  readonly source?: SourcePosition;
}

export interface PipelineConfig {
  /** The file the configuration came from (for messages). */
  readonly file: string;
  /** Declared stages with `.pre` first and `.post` last. */
  readonly stages: readonly string[];
  /** Top-level `variables:` in file order. */
  readonly variables: readonly VariableConfig[];
  readonly workflow: WorkflowConfig;
  /** Visible jobs in file order, `default:` and deprecated globals already applied. */
  readonly jobs: readonly JobConfig[];
}
