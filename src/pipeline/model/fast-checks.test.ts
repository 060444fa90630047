// The fast checks attached to the schemas must never accept what zod rejects (zod has the messages;
// a fast check that says yes wrongly would hide an error). Checked on random near-valid values and on
// every keyword value of every fixture; the fixtures also show the fast path covers real configs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtureNames, loadFixture } from '../../../test/fixtures/_support/load-fixture.js';
import { loadConfig } from '../yaml/load-config.js';
import type * as z from 'zod';
import { cacheHashSchema, needSchema, ruleSchema } from './entry-schemas.js';
import { BRIDGE_PARALLEL_SCHEMA, KEY_SCHEMAS } from './job-keywords.js';
import { fastCheckOf } from './schema-kit.js';

const SCHEMAS: Array<[string, z.ZodType]> = [
  ...Object.entries(KEY_SCHEMAS), ['bridge parallel', BRIDGE_PARALLEL_SCHEMA], ['need', needSchema], ['rule', ruleSchema],
  ['cache hash', cacheHashSchema],
];

const WORDS = ['name', 'entrypoint', 'pull_policy', 'alias', 'command', 'variables', 'key', 'files', 'prefix', 'paths',
  'untracked', 'when', 'policy', 'unprotect', 'fallback_keys', 'reports', 'junit', 'dotenv', 'coverage_report', 'path',
  'coverage_format', 'expire_in', 'expose_as', 'exclude', 'public', 'access', 'url', 'action', 'on_stop', 'auto_stop_in',
  'deployment_tier', 'kubernetes', 'max', 'exit_codes', 'matrix', 'job', 'artifacts', 'optional', 'pipeline', 'project',
  'ref', 'if', 'changes', 'exists', 'start_in', 'allow_failure', 'needs', 'interruptible', 'refs', 'default', 'include',
  'strategy', 'forward', 'pre_get_sources_script', 'aud', 'tag_name', 'value', 'expand', 'docker', 'platform', 'user', 'A'];
const SCALARS = ['', 'x', 'always', 'never', 'on_success', 'on_failure', 'pull', 'push', 'pull-push', 'if-not-present', '1 day',
  '3h', 'never', 'depend', 'active', 'start', 'stop', 'production', 'cobertura', '/x/', '/(/', 'a/b', '..', '$X', 'none',
  'all', 'script_failure', 0, 1, 2, 3, -1, 1.5, 201, true, false, null];

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS), tie('list'), tie('hash')),
  list: fc.array(tie('any'), { maxLength: 4 }),
  hash: fc.dictionary(fc.constantFrom(...WORDS), tie('any'), { maxKeys: 2 }),
})).any;

/** Every job keyword value of the valid fixtures, as the loader gives them (extends, anchors, !reference applied). */
async function fixtureValues(): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = [];
  // error-* fixtures hold alias bombs and the like; the valid ones are what the fast path is for.
  for (const name of listFixtureNames().filter((n) => !n.startsWith('error-'))) {
    const f = loadFixture(name);
    const loaded = await loadConfig({ projectDir: f.dir, file: f.file, listFiles: () => [], changedFiles: () => undefined });
    for (const job of Object.values(loaded.data)) {
      if (typeof job !== 'object' || job === null || Array.isArray(job)) continue;
      for (const [key, v] of Object.entries(job)) if (Object.hasOwn(KEY_SCHEMAS, key)) out.push([key, v]);
    }
  }
  return out;
}

describe('fast checks', () => {
  it('accept nothing that zod rejects (random values)', () => {
    let accepted = 0;
    for (const [name, schema] of SCHEMAS) {
      fc.assert(fc.property(value, (v) => {
        if (!fastCheckOf(schema)(v)) return true;
        accepted++;
        return schema.safeParse(v).success;
      }), { numRuns: 1500, seed: 42 });
      expect(name).toBeTruthy();
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('accept nothing that zod rejects and cover every valid value of the fixtures', async () => {
    let valid = 0;
    let fast = 0;
    const missed: string[] = [];
    for (const [key, v] of await fixtureValues()) {
      const schema = KEY_SCHEMAS[key]!;
      const ok = schema.safeParse(v).success;
      const quick = fastCheckOf(schema)(v);
      if (quick && !ok) missed.push(`fast accepted what zod rejects: ${key}: ${JSON.stringify(v)}`);
      if (ok) valid++;
      if (ok && quick) fast++;
      if (ok && !quick) missed.push(`${key}: ${JSON.stringify(v)}`);
    }
    expect(valid).toBeGreaterThan(300);
    expect(missed).toEqual([]);
  });
});
