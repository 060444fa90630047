// Systematic audit for one class of crash: normalisers or messages running on values that failed
// validation. Every keyword (job, default, rule, workflow, need, service…) gets every hostile value;
// validate + compile must return a config or positioned errors, never throw.
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../compiler/compile-pipeline.js';
import type { CompileContext } from '../compiler/context.js';
import { KEY_SCHEMAS } from './job-keywords.js';
import { validateConfig } from './validate-config.js';

/** Values no schema accepts everywhere: objects whose String() throws, nested junk, numbers in lists. */
const HOSTILE: unknown[] = [
  null, 0, -1, 1.5, true, '', '$', 'x', [], [null], [1, [2]], [[[{}]]], {}, { toString: 1 }, { valueOf: 2, toString: 3 },
  [{ toString: 1 }], { a: { toString: 1 } }, { matrix: [{ A: [{ toString: 1 }] }] }, { files: [{ toString: 1 }] },
  { name: { toString: 1 } }, { job: { toString: 1 } }, { if: 1, when: { toString: 1 } }, { paths: 'x' },
];
const JOB_KEYS = [...Object.keys(KEY_SCHEMAS), 'when', 'start_in', 'rules', 'needs', 'dependencies', 'dast_configuration', 'identity'];
const RULE_KEYS = ['if', 'changes', 'exists', 'when', 'start_in', 'allow_failure', 'variables', 'needs', 'interruptible', 'auto_cancel'];

const ctx: CompileContext = {
  ref: 'main', refType: 'branch', source: 'push', sha: 'a'.repeat(40), defaultBranch: 'main',
  variables: [{ key: 'CI_COMMIT_BRANCH', value: 'main' }, { key: 'CI_PIPELINE_SOURCE', value: 'push' }],
  repo: { listFiles: () => ['x'], changedFiles: () => undefined },
};

function run(data: Record<string, unknown>): string | undefined {
  try {
    const v = validateConfig({ data, positionOf: () => ({ file: 'f.yml', line: 1, column: 1 }), file: 'f.yml' });
    if (v.config) compilePipeline(v.config, ctx);
    else if (v.errors.length === 0) return 'invalid without errors';
    return undefined;
  } catch (err) {
    return `${JSON.stringify(data)} threw ${(err as Error).stack ?? String(err)}`;
  }
}

function cases(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const other = { script: 'y' };
  for (const value of HOSTILE) {
    for (const key of JOB_KEYS) {
      out.push({ build: { script: 'x', [key]: value }, other });
      out.push({ default: { [key]: value }, build: { script: 'x' } });
      out.push({ build: { script: 'x', services: [{ name: 'a', [key]: value }], cache: [{ [key]: value }] } });
      out.push({ build: { script: 'x', needs: [{ job: 'other', [key]: value }] }, other });
    }
    for (const key of RULE_KEYS) {
      out.push({ build: { script: 'x', rules: [{ [key]: value }] }, other });
      out.push({ workflow: { rules: [{ [key]: value }] }, build: { script: 'x' } });
    }
    for (const key of ['variables', 'stages', 'image', 'services', 'cache', 'before_script', 'after_script', 'include', 'workflow', 'default']) {
      out.push({ [key]: value, build: { script: 'x' } });
    }
    out.push({ variables: { A: value }, build: { script: 'x', variables: { B: value } } });
    out.push({ build: { trigger: value }, bridge: { trigger: { include: value, strategy: value, forward: value } } });
  }
  // Names that exist on Object.prototype, as job names, keys, variable names, stages and needs.
  for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    out.push({ [name]: { script: 'x', [name]: 1 }, other: { script: 'y', needs: [name], dependencies: [name] } });
    out.push({ stages: [name], variables: { [name]: 'v' }, default: { [name]: 1 }, workflow: { [name]: 1 }, build: { stage: name, script: 'x', variables: { [name]: `$${name}` } } });
    out.push({ build: { script: 'x', parallel: { matrix: [{ [name]: ['a', 'b'] }] }, environment: { name: 'e', [name]: 1 }, rules: [{ [name]: 1 }] } });
    out.push({ build: { script: 'x', needs: [{ job: name }], artifacts: { reports: { [name]: 'x' } }, cache: { key: { files: ['a'], [name]: 1 } } } });
  }
  return out;
}

describe('validateConfig + compilePipeline on hostile values', () => {
  it('never throws', () => {
    const all = cases();
    const problems = all.map(run).filter((p): p is string => p !== undefined);
    expect(all.length).toBeGreaterThan(2000);
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
