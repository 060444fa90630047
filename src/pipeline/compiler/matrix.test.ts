import { describe, it, expect } from 'vitest';
import { expandParallel, matchMatrixNeed, matrixSize, ParallelConfigError } from './matrix.js';

describe('expandParallel: number', () => {
  it('names instances "name i/N" with index and total', () => {
    expect(expandParallel('build', 3)).toEqual([
      { name: 'build 1/3', variables: {}, parallel: { index: 1, total: 3 } },
      { name: 'build 2/3', variables: {}, parallel: { index: 2, total: 3 } },
      { name: 'build 3/3', variables: {}, parallel: { index: 3, total: 3 } },
    ]);
  });
  it('accepts 1 and 200', () => {
    expect(expandParallel('t', 1).map((i) => i.name)).toEqual(['t 1/1']);
    expect(expandParallel('t', 200)).toHaveLength(200);
  });
  it.each([
    [0, 'jobs:t:parallel config must be greater than or equal to 1'],
    [201, 'jobs:t:parallel config must be less than or equal to 200'],
    [1.5, 'jobs:t:parallel config must be an integer'],
  ])('rejects %d', (n, message) => {
    expect(() => expandParallel('t', n)).toThrow(new ParallelConfigError(message));
  });
});

describe('expandParallel: matrix', () => {
  it('takes the cartesian product per entry in key order (GitLab docs example)', () => {
    const names = expandParallel('deploystacks', {
      matrix: [
        { PROVIDER: 'aws', STACK: ['monitoring', 'app1', 'app2'] },
        { PROVIDER: 'ovh', STACK: ['monitoring', 'backup', 'app'] },
        { PROVIDER: ['gcp', 'vultr'], STACK: ['data', 'processing'] },
      ],
    }).map((i) => i.name);
    expect(names).toEqual([
      'deploystacks: [aws, monitoring]',
      'deploystacks: [aws, app1]',
      'deploystacks: [aws, app2]',
      'deploystacks: [ovh, monitoring]',
      'deploystacks: [ovh, backup]',
      'deploystacks: [ovh, app]',
      'deploystacks: [gcp, data]',
      'deploystacks: [gcp, processing]',
      'deploystacks: [vultr, data]',
      'deploystacks: [vultr, processing]',
    ]);
  });
  it('gives each instance its variables and a shared total', () => {
    const list = expandParallel('build', { matrix: [{ ARCH: ['amd64', 'arm64'], OS: 'alpine' }] });
    expect(list).toEqual([
      { name: 'build: [amd64, alpine]', variables: { ARCH: 'amd64', OS: 'alpine' }, parallel: { index: 1, total: 2 } },
      { name: 'build: [arm64, alpine]', variables: { ARCH: 'arm64', OS: 'alpine' }, parallel: { index: 2, total: 2 } },
    ]);
  });
  it('turns numbers into text', () => {
    const list = expandParallel('test', { matrix: [{ NODE: [18, 20], PG: 15 }] });
    expect(list.map((i) => i.name)).toEqual(['test: [18, 15]', 'test: [20, 15]']);
    expect(list[0]!.variables).toEqual({ NODE: '18', PG: '15' });
  });
  it('supports a one-dimensional matrix', () => {
    expect(expandParallel('lint', { matrix: [{ LANG: ['go', 'ts'] }] }).map((i) => i.name)).toEqual(['lint: [go]', 'lint: [ts]']);
  });
  it('yields nothing for an empty value list', () => {
    expect(expandParallel('x', { matrix: [{ A: [] }] })).toEqual([]);
  });
  it('allows exactly 200 and rejects 201 generated jobs', () => {
    const values = Array.from({ length: 100 }, (_, i) => `v${i}`);
    expect(expandParallel('x', { matrix: [{ A: values, B: ['1', '2'] }] })).toHaveLength(200);
    expect(() => expandParallel('x', { matrix: [{ A: values, B: ['1', '2'] }, { C: 'one' }] })).toThrow(
      'jobs:x:parallel:matrix config generates too many jobs (maximum is 200)',
    );
  });
  it('counts generated jobs like GitLab', () => {
    expect(matrixSize([{ A: ['1', '2'], B: ['1', '2', '3'] }, { C: 'x' }])).toBe(7);
  });
});

describe('matchMatrixNeed', () => {
  it('names the instances a need selects', () => {
    expect(matchMatrixNeed('build', [{ ARCH: 'amd64', OS: ['alpine', 'debian'] }])).toEqual([
      'build: [amd64, alpine]',
      'build: [amd64, debian]',
    ]);
  });
  it('follows the need key order (a different order gives a different name, as in GitLab)', () => {
    expect(matchMatrixNeed('build', [{ OS: 'alpine', ARCH: 'amd64' }])).toEqual(['build: [alpine, amd64]']);
  });
});
