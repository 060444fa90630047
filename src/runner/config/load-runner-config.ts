// Reads config.toml: TOML syntax (smol-toml), then the schema, then a few checks that need the
// whole entry. Every problem comes back with its file and line; nothing here prints or exits.
import { readFile } from 'node:fs/promises';
import { TomlError, parse } from 'smol-toml';
import { LEGACY_CACHE_KEYS } from './cache-config.js';
import { RunnerConfigError, type ConfigError } from './config-error.js';
import { configErrorMap, configErrorsFromIssues, locate } from './config-issues.js';
import { RunnerConfigFileSchema, type RunnerConfigFile } from './schema.js';
import { indexTomlKeyLines, type TomlKeyLines } from './toml-key-lines.js';

export interface ParseRunnerConfigOptions {
  /**
   * Also require `url`, `token` and `executor` in every [[runners]] entry: what `run` needs, but not
   * `lint` of a Helm template that leaves them to the chart.
   */
  requireCredentials?: boolean;
}

export interface ParsedRunnerConfig {
  config?: RunnerConfigFile;
  errors: ConfigError[];
  /** Deprecated keys that still work (they come with the key to use instead). */
  warnings: ConfigError[];
}

export function parseRunnerConfig(text: string, fileName: string, options: ParseRunnerConfigOptions = {}): ParsedRunnerConfig {
  let data: Record<string, unknown>;
  try {
    data = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    return { errors: [tomlSyntaxError(err, fileName)], warnings: [] };
  }
  const keyLines = indexTomlKeyLines(text);
  const result = RunnerConfigFileSchema.safeParse(data, { error: configErrorMap });
  if (!result.success) {
    const errors = configErrorsFromIssues(result.error.issues, data, RunnerConfigFileSchema, keyLines, fileName);
    return { errors: errors.sort((a, b) => a.line - b.line), warnings: [] };
  }
  const config = result.data;
  const errors = options.requireCredentials ? missingCredentials(config, keyLines, fileName) : [];
  const warnings = deprecations(config, keyLines, fileName);
  return errors.length > 0 ? { errors, warnings } : { config, errors, warnings };
}

/** Reads and validates the file; throws RunnerConfigError (with every problem) when it is unusable. */
export async function loadRunnerConfig(
  path: string,
  options: ParseRunnerConfigOptions & { signal?: AbortSignal } = {},
): Promise<RunnerConfigFile> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal: options.signal });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ABORT_ERR') throw err;
    const why =
      code === 'ENOENT'
        ? `config file not found: ${path} (register a runner first, or pass --config with the right path)`
        : code === 'EACCES'
          ? `cannot read config file ${path}: permission denied (run as its owner, or fix its mode)`
          : code === 'EISDIR'
            ? `${path} is a directory, not a config.toml file`
            : `cannot read config file ${path}: ${(err as Error).message}`;
    throw new RunnerConfigError([{ file: path, line: 0, column: 0, path: [], message: why }]);
  }
  const { config, errors } = parseRunnerConfig(text, path, options);
  if (!config) throw new RunnerConfigError(errors);
  return config;
}

function tomlSyntaxError(err: TomlError, file: string): ConfigError {
  const reason = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
  const hints: Array<[RegExp, string]> = [
    [/redefine/, 'a key or table is defined twice; remove or merge the duplicate'],
    [/empty bare key/, 'a line holds no "key = value"; placeholders such as "..." are not TOML, delete them'],
    [/invalid value/, 'strings must be quoted, e.g. token = "glrt-..."'],
    [/control characters|unterminated|unfinished/i, 'a string is not closed; add the closing quote on the same line'],
  ];
  const hint = hints.find(([re]) => re.test(reason))?.[1];
  return {
    file,
    line: err.line,
    column: err.column,
    path: [],
    message: `TOML syntax error: ${reason}${hint ? ` (${hint})` : ''}`,
  };
}

function missingCredentials(config: RunnerConfigFile, keyLines: TomlKeyLines, file: string): ConfigError[] {
  const errors: ConfigError[] = [];
  config.runners.forEach((runner, index) => {
    const examples = { url: '"https://gitlab.example.com/"', token: '"glrt-..."', executor: '"docker"' } as const;
    for (const key of ['url', 'token', 'executor'] as const) {
      if (runner[key] !== '') continue;
      const path = ['runners', index];
      errors.push({
        file,
        line: keyLines.lineOf(path) ?? 0,
        column: 0,
        path: [...path, key],
        message: `${locate(config, path).label}: missing ${key} (set ${key} = ${examples[key]})`,
      });
    }
  });
  return errors;
}

function deprecations(config: RunnerConfigFile, keyLines: TomlKeyLines, file: string): ConfigError[] {
  const warnings: ConfigError[] = [];
  const warn = (path: Array<string | number>, message: string) => {
    const { label, key } = locate(config, path);
    warnings.push({ file, line: keyLines.lineOf(path) ?? 0, column: 0, path, message: `${label} ${key}: ${message}` });
  };
  config.runners.forEach((runner, i) => {
    if (runner.pre_clone_script !== undefined) warn(['runners', i, 'pre_clone_script'], 'deprecated; use pre_get_sources_script');
    if (runner.post_clone_script !== undefined) warn(['runners', i, 'post_clone_script'], 'deprecated; use post_get_sources_script');
    for (const key of LEGACY_CACHE_KEYS) {
      if (runner.cache?.[key] !== undefined) warn(['runners', i, 'cache', key], 'deprecated here; move it to [runners.cache.s3]');
    }
    if (runner.kubernetes?.terminationGracePeriodSeconds !== undefined) {
      warn(
        ['runners', i, 'kubernetes', 'terminationGracePeriodSeconds'],
        'deprecated; use pod_termination_grace_period_seconds and cleanup_grace_period_seconds',
      );
    }
  });
  return warnings;
}
