// Which keys a job, a trigger job ("bridge") and `default:` accept, and the schema of each key.
// `when`, `start_in`, `rules` and `needs` are checked by validate-job.ts (their rules depend on other keys).
import type * as z from 'zod';
import {
  allowFailureSchema, artifactsSchema, cacheSchema, coverageSchema, environmentSchema, hooksSchema,
  idTokensSchema, imageSchema, inheritSchema, pagesSchema, parallelSchema, policySchema, releaseSchema,
  retrySchema, runSchema, servicesSchema, triggerSchema,
} from './entry-schemas.js';
import {
  arrayOfStrings, booleanSchema, check, commandsSchema, isDuration, isHash, stringOrArrayOfStrings, stringSchema,
} from './schema-kit.js';
import { variablesSchema } from './variables-schema.js';

const PROCESSABLE_KEYS = ['extends', 'stage', 'only', 'except', 'rules', 'variables', 'inherit', 'allow_failure',
  'when', 'needs', 'resource_group', 'environment', 'interruptible'];
const JOB_ONLY_KEYS = ['tags', 'script', 'run', 'type', 'image', 'services', 'start_in', 'artifacts', 'cache',
  'dependencies', 'before_script', 'after_script', 'hooks', 'coverage', 'retry', 'parallel', 'timeout', 'release',
  'secrets', 'id_tokens', 'manual_confirmation', 'pages', 'publish', 'dast_configuration', 'identity'];

export const JOB_KEYS: ReadonlySet<string> = new Set([...PROCESSABLE_KEYS, ...JOB_ONLY_KEYS]);
export const BRIDGE_KEYS: ReadonlySet<string> = new Set([...PROCESSABLE_KEYS, 'trigger', 'parallel']);
export const DEFAULT_KEYS: ReadonlySet<string> = new Set(['after_script', 'artifacts', 'before_script', 'cache',
  'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout']);

export const JOB_WHEN = ['on_success', 'on_failure', 'always', 'manual', 'delayed'] as const;
export const BRIDGE_WHEN = ['on_success', 'on_failure', 'always', 'manual'] as const;
export const RULE_WHEN = ['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed'] as const;
export const WORKFLOW_RULE_WHEN = ['always', 'never'] as const;

const timeoutSchema = check<string>(isDuration, 'config should be a duration');

/** Schema per key. `attribute` keys report as "jobs:x <key> ...", the others as "jobs:x:<key> ...". */
export const KEY_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  script: commandsSchema,
  before_script: commandsSchema,
  after_script: commandsSchema,
  run: runSchema,
  hooks: hooksSchema,
  stage: stringSchema(),
  type: stringSchema(),
  image: imageSchema,
  services: servicesSchema,
  cache: cacheSchema,
  artifacts: artifactsSchema,
  variables: variablesSchema(['value', 'expand']),
  inherit: inheritSchema,
  only: policySchema,
  except: policySchema,
  allow_failure: allowFailureSchema,
  dependencies: arrayOfStrings('should be an array of strings'),
  parallel: parallelSchema(true),
  retry: retrySchema,
  timeout: timeoutSchema,
  tags: arrayOfStrings(),
  interruptible: booleanSchema(),
  resource_group: stringSchema('should be a string'),
  environment: environmentSchema,
  coverage: coverageSchema,
  trigger: triggerSchema,
  secrets: check<Record<string, unknown>>(isHash, 'config should be a hash'),
  id_tokens: idTokensSchema,
  release: releaseSchema,
  manual_confirmation: stringSchema(),
  extends: stringOrArrayOfStrings('should be an array of strings or a string'),
  pages: pagesSchema,
  publish: stringSchema(),
};

export const BRIDGE_PARALLEL_SCHEMA = parallelSchema(false);

const SCHEMA_BY_KEY: ReadonlyMap<string, z.ZodType> = new Map(Object.entries(KEY_SCHEMAS));

/** The schema of a keyword (a map: a user's `toString:` must not find Object.prototype's). */
export function schemaOf(key: string): z.ZodType | undefined {
  return SCHEMA_BY_KEY.get(key);
}
