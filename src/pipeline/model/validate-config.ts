// The model step: loaded configuration data → validated, normalised PipelineConfig, or every error
// found (schema errors of globals and all jobs, then the logical checks), each with its position.
import type { PipelineError, SourcePosition } from '../errors.js';
import { createExpressionCache, type ExpressionCache } from '../rules/expression.js';
import { lazyPosition, lazySource } from './lazy-position.js';
import { checkLogic } from './logical-checks.js';
import { NormaliseMemo, normaliseJob } from './normalise-job.js';
import type { JobConfig, PipelineConfig } from './pipeline-config.js';
import { isHash, type ErrorSink, type Path } from './schema-kit.js';
import { validateGlobals } from './validate-globals.js';
import { validateJob, type JobValidationContext } from './validate-job.js';

export interface ConfigSource {
  /** Loaded data: includes, anchors, `!reference` and `extends` resolved; hidden jobs kept. */
  data: Record<string, unknown>;
  positionOf(path: ReadonlyArray<string | number>): SourcePosition;
  /** The configuration file as the user named it. */
  file: string;
}

export interface ValidationResult {
  /** Present only when there are no errors. */
  config?: PipelineConfig;
  errors: PipelineError[];
  warnings: string[];
}

/** Top-level keys that are never jobs. `default` and `workflow` are jobs only when they look like one. */
const RESERVED = new Set(['include', 'before_script', 'image', 'services', 'after_script', 'variables', 'stages', 'types', 'cache']);

/** GitLab's job-type detection: script/run → job, trigger → bridge. */
export function jobKind(value: unknown): 'job' | 'bridge' | undefined {
  if (!isHash(value)) return undefined;
  if ('script' in value || 'run' in value) return 'job';
  return 'trigger' in value ? 'bridge' : undefined;
}

/** Rails' humanize + the name fix in GitLab's Validator#messages ("jobs my_job config should implement"). */
function unmatchedJobLabel(name: string): string {
  const label = name.replace(/_/g, ' ').toLowerCase();
  return /^[a-z\s]+$/.test(label) ? label.replace(/ /g, '_') : label;
}

function withoutKeys(raw: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!keys.has(k)) out[k] = v;
  return out;
}

export function validateConfig(source: ConfigSource, expressions: ExpressionCache = createExpressionCache()): ValidationResult {
  const errors: PipelineError[] = [];
  const warnings: string[] = [];
  const positionOf = (path: Path): SourcePosition => {
    try {
      return source.positionOf(path);
    } catch {
      return { file: source.file, line: 0, column: 0 };
    }
  };
  const sink: ErrorSink = {
    add(path, message) {
      const pos = positionOf(path);
      errors.push({ file: pos.file, line: pos.line, column: pos.column, path: [...path], message });
    },
  };
  const validExpressions = new Map<string, boolean>();
  const ctx: JobValidationContext = {
    sink,
    warnings,
    workflowHasRules: false,
    validValues: new Map(),
    isValidExpression(src) {
      let ok = validExpressions.get(src);
      if (ok === undefined) {
        try {
          expressions.parse(src);
          ok = true;
        } catch {
          ok = false;
        }
        validExpressions.set(src, ok);
      }
      return ok;
    },
  };

  const globals: Record<string, unknown> = {};
  const jobEntries: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(source.data)) {
    if (RESERVED.has(key) || ((key === 'default' || key === 'workflow') && !jobKind(value))) globals[key] = value;
    else jobEntries.push([key, value]);
  }
  const workflow = globals.workflow;
  ctx.workflowHasRules = isHash(workflow) && workflow.rules !== undefined && workflow.rules !== null;
  const g = validateGlobals(globals, ctx);

  const jobs: JobConfig[] = [];
  const memo = new NormaliseMemo();
  let visible = 0;
  for (const [name, value] of jobEntries) {
    if (name.startsWith('.')) continue;
    const kind = jobKind(value);
    if (!kind) {
      sink.add([name], `jobs ${unmatchedJobLabel(name)} config should implement the script:, run:, or trigger: keyword`);
      continue;
    }
    visible++;
    const raw = value as Record<string, unknown>;
    const invalid = validateJob(name, raw, kind, ctx);
    // Invalid jobs are normalised too, without their invalid keys (the normalisers trust the types
    // the schemas checked), so the logical checks below see every job and report in the same run.
    const checked = invalid.size === 0 ? raw : withoutKeys(raw, invalid);
    jobs.push(normaliseJob(name, checked, kind, g.defaults, lazySource(() => positionOf([name])), memo));
  }
  if (visible === 0) sink.add([], 'jobs config should contain at least one visible job');

  checkLogic(jobs, g.stages, (path, message) => sink.add(path, message));
  if (errors.length > 0) return { errors, warnings };

  const config: PipelineConfig = {
    file: source.file,
    stages: g.stages,
    variables: g.variables,
    workflow: isHash(globals.workflow) ? { ...g.workflow, source: lazyPosition(() => positionOf(['workflow'])) } : g.workflow,
    jobs,
  };
  return { config, errors, warnings };
}
