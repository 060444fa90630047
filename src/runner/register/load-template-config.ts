// `--template-config FILE`: a config.toml holding exactly one [[runners]] entry whose values fill in
// what the register flags leave empty (gitlab-runner merges it the same way; flags and env win).
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { RunnerConfigError } from '../config/config-error.js';
import { parseRunnerConfig } from '../config/load-runner-config.js';
import type { PlainTable } from './runner-entry.js';

export async function loadTemplateConfig(path: string, signal?: AbortSignal): Promise<PlainTable> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ABORT_ERR') throw err;
    throw new RunnerConfigError([{ file: path, line: 0, column: 0, path: [], message: `cannot read the template config (--template-config): ${(err as Error).message}` }]);
  }
  const { config, errors } = parseRunnerConfig(text, path);
  if (!config) throw new RunnerConfigError(errors);
  if (config.runners.length !== 1) {
    throw new RunnerConfigError([{
      file: path, line: 0, column: 0, path: ['runners'],
      message: `the template config must contain exactly one [[runners]] entry, found ${config.runners.length}`,
    }]);
  }
  // The raw table, not the parsed one: defaults must not count as values the user chose.
  const raw = parse(text) as { runners?: PlainTable[] };
  return raw.runners?.[0] ?? {};
}
