// Fixture-driven compiler tests: every folder under test/fixtures/ is one feature (see its README).
// Expectations are hand-written from GitLab's documented behaviour, never copied from our output.
import { describe, expect, it } from 'vitest';
import { compilePipelineFile } from '../src/pipeline/index.js';
import { buildContext, listFixtureNames, loadFixture, type Fixture } from './fixtures/_support/load-fixture.js';
import { matchErrors, matchSubset } from './fixtures/_support/subset-match.js';

async function compileFixture(f: Fixture) {
  const ctx = buildContext(f);
  return compilePipelineFile(
    {
      projectDir: f.dir,
      file: f.file,
      listFiles: () => ctx.repo.listFiles(),
      changedFiles: () => ctx.repo.changedFiles(),
    },
    ctx,
  );
}

function fail(lines: string[]): never {
  throw new Error(`\n${lines.join('\n')}`);
}

describe('fixture matcher', () => {
  it('accepts a partial object and reports every difference with its path', () => {
    expect(matchSubset({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toEqual([]);
    expect(matchSubset({ a: 1, b: { c: 2 } }, { a: 2, b: { c: 3 } })).toEqual([
      '$.a: expected 2, got 1',
      '$.b.c: expected 3, got 2',
    ]);
  });

  it('matches jobs by name and requires the same set of names', () => {
    const actual = { jobs: [{ name: 'a', stage: 'build' }, { name: 'b', stage: 'test' }] };
    expect(matchSubset(actual, { jobs: [{ name: 'b', stage: 'test' }, { name: 'a' }] })).toEqual([]);
    const diffs = matchSubset(actual, { jobs: [{ name: 'a', stage: 'test' }] });
    expect(diffs[0]).toContain('unexpected ["b"]');
    expect(diffs[1]).toBe('$.jobs["a"].stage: expected "test", got "build"');
  });

  it('compares variables by effective value (the last entry wins)', () => {
    const actual = { variables: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] };
    expect(matchSubset(actual, { variables: { A: '2', B: { $absent: true } } })).toEqual([]);
    expect(matchSubset(actual, { variables: { A: '1' } })).toEqual(['$.variables.A: expected "1", got "2"']);
    expect(matchSubset(actual, { variables: { C: 'x' } })[0]).toContain('variable missing');
  });

  it('supports $absent, $match, $contains, $unordered and $exact', () => {
    expect(matchSubset({ a: 'hello' }, { a: { $match: '^he' }, b: { $absent: true } })).toEqual([]);
    expect(matchSubset([1, 2, 3], { $contains: [3, 1] })).toEqual([]);
    expect(matchSubset([1, 2], { $unordered: [2, 1] })).toEqual([]);
    expect(matchSubset([1, 2], { $unordered: [2, 2] })).toHaveLength(1);
    expect(matchSubset({ a: 1, b: 2 }, { $exact: { a: 1 } })).toEqual(['$: unexpected keys b']);
    expect(matchSubset([1, 2], [1])).toHaveLength(1);
  });

  it('matches errors by exact message or /regex/ and optional position', () => {
    const errs = [{ file: '.gitlab-ci.yml', line: 3, column: 3, message: 'jobs:a config contains unknown keys: x' }];
    expect(matchErrors(errs, [{ message: 'jobs:a config contains unknown keys: x', line: 3 }])).toEqual([]);
    expect(matchErrors(errs, [{ message: '/unknown keys: x$/' }])).toEqual([]);
    expect(matchErrors(errs, [{ message: 'jobs:a config contains unknown keys: x', line: 4 }])).toHaveLength(1);
  });
});

describe('pipeline fixtures', () => {
  const names = listFixtureNames();

  it('has at least 80 fixtures, each with exactly one expectation file', () => {
    expect(names.length).toBeGreaterThanOrEqual(80);
    const bad = names.filter((n) => {
      const f = loadFixture(n);
      return (f.expected === undefined) === (f.expectedErrors === undefined);
    });
    expect(bad).toEqual([]);
  });

  for (const name of names) {
    it(name, async () => {
      const f = loadFixture(name);
      const result = await compileFixture(f);
      const listing = result.errors.map((e) => `  ${e.file}:${e.line}:${e.column}: ${e.message}`);
      for (const e of result.errors) {
        if (typeof e.file !== 'string' || !Number.isInteger(e.line) || !Number.isInteger(e.column)) {
          fail([`error without a position: ${JSON.stringify(e)}`]);
        }
      }
      if (f.expectedErrors !== undefined) {
        if (result.valid) fail(['expected an invalid configuration, but it compiled', JSON.stringify(result.pipeline?.jobs.map((j) => j.name))]);
        const diffs = matchErrors(result.errors, f.expectedErrors);
        if (diffs.length > 0) fail(diffs);
        return;
      }
      if (!result.valid || result.pipeline === undefined) fail(['expected a valid pipeline, got errors:', ...listing]);
      const actual = {
        ...result.pipeline,
        warnings: [...new Set([...result.pipeline.warnings, ...result.warnings])],
      };
      const diffs = matchSubset(actual, f.expected);
      if (diffs.length > 0) fail(diffs);
    });
  }
});
