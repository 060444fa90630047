// Public entry of the .gitlab-ci.yml loader (see load-config-with.ts for what it does).
import { evaluateExpression } from '../rules/expression.js';
import { matchesAnyPattern } from '../rules/file-patterns.js';
import { expandGitlab } from '../variables/expand.js';
import { loadConfigWith, type LoadConfigOptions, type LoadedConfig } from './load-config-with.js';

export type { LoadConfigOptions, LoadedConfig, SourceMap } from './load-config-with.js';

export function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  return loadConfigWith(options, { evaluateExpression, matchesAnyPattern, expandGitlab });
}
