// Writing config.toml. Adding or removing a runner edits the text in place, so every other entry,
// comment and unknown-but-valid table stays byte for byte; only when the file's shape does not allow
// that (e.g. an inline `runners = [...]`) is the whole file re-serialised from data.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunnerConfigError, type ConfigError } from './config-error.js';
import { configErrorMap, locate } from './config-issues.js';
import { parseRunnerConfig } from './load-runner-config.js';
import {
  RunnerConfigFileSchema,
  RunnerEntrySchema,
  type RunnerConfigFile,
  type RunnerConfigFileInput,
  type RunnerEntry,
  type RunnerEntryInput,
} from './schema.js';
import { deepEqual, stripDefaults } from './strip-defaults.js';
import { toToml } from './to-toml.js';
import { indexTomlKeyLines } from './toml-key-lines.js';

/** What `gitlab-runner register` puts at the top of a new file. */
const NEW_FILE_HEADER = 'concurrent = 1\ncheck_interval = 0\n\n[session_server]\n  session_timeout = 1800\n';

/** Keys gitlab-runner always writes (its struct tags have no omitempty), even at their default. */
const ALWAYS_WRITTEN: ReadonlySet<string> = new Set([
  'concurrent',
  'check_interval',
  'session_server.session_timeout',
  'runners.name',
  'runners.url',
  'runners.id',
  'runners.token',
  'runners.executor',
]);

/** The whole file from data, defaults left out. Throws RunnerConfigError when the data is invalid. */
export function serializeRunnerConfig(config: RunnerConfigFile | RunnerConfigFileInput): string {
  const result = RunnerConfigFileSchema.safeParse(config, { error: configErrorMap });
  if (!result.success) throw new RunnerConfigError(dataErrors(result.error.issues, config, []));
  return toToml(stripDefaults(RunnerConfigFileSchema, result.data, ALWAYS_WRITTEN) as Record<string, unknown>);
}

/**
 * Appends one `[[runners]]` entry (creating the file's header when there is no text yet).
 * Throws RunnerConfigError when the entry or the existing text is invalid: a broken file is never extended.
 */
export function addRunner(existingText: string | undefined, entry: RunnerEntryInput, fileName = 'config.toml'): string {
  const existing = existingText === undefined || existingText.trim() === '' ? undefined : mustParse(existingText, fileName);
  const index = existing?.runners.length ?? 0;
  const parsed = RunnerEntrySchema.safeParse(entry, { error: configErrorMap });
  if (!parsed.success) {
    throw new RunnerConfigError(dataErrors(parsed.error.issues, { runners: [entry] }, ['runners', index], ['runners', 0]));
  }
  const block = runnerBlock(parsed.data);
  if (existingText === undefined || existing === undefined) return `${NEW_FILE_HEADER}\n${block}`;

  const appended = `${existingText.replace(/\s*$/, '')}\n\n${block}`;
  const check = parseRunnerConfig(appended, fileName);
  const wanted = [...existing.runners, parsed.data];
  if (check.config && deepEqual(check.config.runners, wanted)) return appended;
  return serializeRunnerConfig({ ...existing, runners: wanted });
}

/** Removes every `[[runners]]` entry the predicate picks; returns the text unchanged when none match. */
export function removeRunner(
  text: string,
  predicate: (entry: RunnerEntry, index: number) => boolean,
  fileName = 'config.toml',
): string {
  const config = mustParse(text, fileName);
  const doomed = new Set(config.runners.flatMap((r, i) => (predicate(r, i) ? [i] : [])));
  if (doomed.size === 0) return text;
  const kept = config.runners.filter((_, i) => !doomed.has(i));

  // Each entry spans from its [[runners]] header to the next header outside runners[i].
  const { headers } = indexTomlKeyLines(text);
  const lines = text.split('\n');
  const drop = new Set<number>();
  headers.forEach((h, hi) => {
    const i = h.path[1];
    if (!h.isArrayTable || h.path.length !== 2 || h.path[0] !== 'runners' || typeof i !== 'number' || !doomed.has(i)) return;
    const next = headers.slice(hi + 1).find((o) => o.path[0] !== 'runners' || o.path[1] !== i);
    const end = next ? next.line - 1 : lines.length;
    for (let n = h.line; n <= end; n++) drop.add(n);
  });
  const joined = lines.filter((_, n) => !drop.has(n + 1)).join('\n');
  // Dropping the last entry takes the file's final empty line with it: keep the newline at the end.
  const edited = text.endsWith('\n') && !joined.endsWith('\n') ? `${joined}\n` : joined;
  const check = parseRunnerConfig(edited, fileName);
  if (check.config && deepEqual(check.config, { ...config, runners: kept })) return edited;
  return serializeRunnerConfig({ ...config, runners: kept });
}

/**
 * Replaces the file atomically: validate, write a 0600 temp file beside it, fsync, rename over.
 * A reader (or a crash) sees the old file or the new one, never half of one.
 */
export async function saveRunnerConfig(path: string, text: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { errors } = parseRunnerConfig(text, path);
  if (errors.length > 0) throw new RunnerConfigError(errors);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text, { encoding: 'utf8', signal: options.signal });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function runnerBlock(entry: RunnerEntry): string {
  return toToml(stripDefaults(RunnerConfigFileSchema, { runners: [entry] }, ALWAYS_WRITTEN) as Record<string, unknown>);
}

function mustParse(text: string, fileName: string): RunnerConfigFile {
  const { config, errors } = parseRunnerConfig(text, fileName);
  if (!config) throw new RunnerConfigError(errors);
  return config;
}

/** Errors on data that has no file text yet: no line, but the table and key are still named. */
function dataErrors(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
  data: unknown,
  prefix: Array<string | number>,
  dataPrefix: Array<string | number> = prefix,
): ConfigError[] {
  return issues.map((issue) => {
    const rest = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const { label, key } = locate(data, [...dataPrefix, ...rest], 'value');
    return {
      file: '<new runner entry>',
      line: 0,
      column: 0,
      path: [...prefix, ...rest],
      message: `${[label, key].filter(Boolean).join(' ')}: ${issue.message}`,
    };
  });
}
