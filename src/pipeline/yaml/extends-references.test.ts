import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

function load(content: string, files: Record<string, string> = {}) {
  return loadConfig({ projectDir: '/p', content, readFile: async (p) => files[p], listFiles: () => Object.keys(files) });
}

const messages = (r: { errors: Array<{ message: string }> }) => r.errors.map((e) => e.message);

describe('extends', () => {
  it('merges multi-level parents: hashes key by key, arrays and scalars replaced', async () => {
    const r = await load(
      [
        '.a: {image: a, variables: {A: "1", B: "1"}, script: [a1, a2], tags: [x]}',
        '.b: {extends: .a, variables: {B: "2"}, tags: [y]}',
        'job: {extends: .b, script: [mine], variables: {C: "3"}}',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.data['job']).toEqual({ image: 'a', variables: { A: '1', B: '2', C: '3' }, script: ['mine'], tags: ['y'] });
    expect(r.data['.b']).toEqual({ image: 'a', variables: { A: '1', B: '2' }, script: ['a1', 'a2'], tags: ['y'] });
  });

  it('merges a list of parents in order, the later parent winning, visible jobs as parents too', async () => {
    const r = await load('base: {script: base, stage: build, variables: {X: base}}\n.two: {stage: test, variables: {X: two}}\njob: {extends: [base, .two]}\n');
    expect(r.data['job']).toEqual({ script: 'base', stage: 'test', variables: { X: 'two' } });
  });

  it('does not mutate a parent shared by many jobs', async () => {
    const r = await load('.p: {variables: {A: "1"}}\nj1: {extends: .p, variables: {B: "2"}}\nj2: {extends: .p}\n');
    expect(r.data['j2']).toEqual({ variables: { A: '1' } });
    expect(r.data['.p']).toEqual({ variables: { A: '1' } });
  });

  it('reports an unknown parent with GitLab wording at the extends line', async () => {
    const r = await load('job:\n  script: x\n  extends: [.x, .y]\n');
    expect(r.errors).toMatchObject([{ message: 'job: unknown keys in `extends` (.x, .y)', line: 3, column: 3, path: ['job', 'extends'] }]);
    expect(r.data['job']).toEqual({ script: 'x' });
  });

  it('reports parents that are not hashes', async () => {
    const r = await load('.x: [1]\njob: {extends: .x, script: x}\n');
    expect(messages(r)).toEqual(['job: invalid base hashes in `extends` (.x)']);
  });

  it('reports circular extends', async () => {
    const r = await load('a: {extends: b, script: a}\nb: {extends: a}\nself: {extends: self}\n');
    expect(messages(r)).toEqual(['a: circular dependency detected in `extends`', 'self: circular dependency detected in `extends`']);
  });

  it('allows 11 levels of extends and refuses 12', async () => {
    const chain = (n: number) => {
      let text = '.l0: {script: x}\n';
      for (let i = 1; i < n; i += 1) text += `.l${i}: {extends: .l${i - 1}}\n`;
      return `${text}job: {extends: .l${n - 1}}\n`;
    };
    expect((await load(chain(11))).errors).toEqual([]);
    expect(messages(await load(chain(12)))).toEqual(['.l1: nesting too deep in `extends`']);
  });

  it('extends a parent defined in an included file', async () => {
    const r = await load('include: base.yml\njob: {extends: .base, script: x}\n', { 'base.yml': '.base: {image: alpine}\n' });
    expect(r.data['job']).toEqual({ image: 'alpine', script: 'x' });
    expect(r.sourceMap.positionOf(['job', 'image'])).toEqual({ file: 'base.yml', line: 1, column: 9 });
  });
});

describe('!reference', () => {
  it('resolves nested references after extends', async () => {
    const r = await load(
      [
        '.setup:',
        '  script: [echo setup]',
        '.deploy:',
        '  script:',
        '    - !reference [.setup, script]',
        '    - echo deploy',
        '.vars: {variables: {A: "1"}}',
        '.ext: {extends: .vars}',
        'test:',
        '  variables: !reference [.ext, variables]',
        '  script:',
        '    - !reference [.deploy, script]',
        '    - echo done',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.data['test']).toEqual({ variables: { A: '1' }, script: [[['echo setup'], 'echo deploy'], 'echo done'] });
  });

  it('reports a missing target at the tag with GitLab wording', async () => {
    const r = await load('job:\n  script:\n    - !reference [.missing, script]\n');
    expect(r.errors).toMatchObject([{ message: '!reference [".missing", "script"] could not be found', line: 3, path: ['job', 'script', 0] }]);
  });

  it('reports targets below a non-hash as missing', async () => {
    const r = await load('.a: {script: [x]}\njob: {script: !reference [.a, script, "0"]}\nj2: {script: !reference [.a, script, 0]}\n');
    expect(messages(r)).toEqual(['!reference [".a", "script", "0"] could not be found', '!reference [".a", "script", 0] is not valid']);
  });

  it('reports an invalid tag', async () => {
    const r = await load('job: {script: !reference x}\nj2: {script: !reference []}\n');
    expect(messages(r)).toEqual(['!reference "x" is not valid', '!reference [] is not valid']);
  });

  it('detects circular references without hanging', async () => {
    const r = await load('.a: {script: !reference [.b, script]}\n.b: {script: !reference [.a, script]}\nself: {script: [!reference [self]]}\n');
    expect(messages(r)).toEqual([
      // GitLab names the tag it met twice: the one on .a, which points at .b.
      '!reference [".b", "script"] is part of a circular chain',
      '!reference ["self"] is part of a circular chain',
    ]);
  });

  it('refuses more than 10 nested levels', async () => {
    const levels = (n: number) => {
      let text = '.r0: {s: [x]}\n';
      for (let i = 1; i <= n; i += 1) text += `.r${i}: {s: [!reference [.r${i - 1}, s]]}\n`;
      return `${text}job: {script: !reference [.r${n}, s]}\n`;
    };
    expect((await load(levels(9))).errors).toEqual([]);
    expect(messages(await load(levels(12)))[0]).toMatch(/nested too deeply/);
  });

  it('references content from an included file', async () => {
    const r = await load('include: a.yml\njob:\n  script: !reference [.common, script]\n', { 'a.yml': '.common:\n  script: [make]\n' });
    expect(r.data['job']).toEqual({ script: ['make'] });
  });
});

describe('!reference with tag-free parts skipped', () => {
  it('resolves tags reached only through aliases, merge keys and extends of tag-free parents', async () => {
    const r = await load(
      [
        '.s: {script: [s1]}',
        '.plain: {image: i, variables: {A: "1"}}',
        '.tagged: &tagged {before_script: [!reference [.s, script]]}',
        'j1: {extends: .plain, script: [!reference [.s, script], j]}',
        'j2: {<<: *tagged, script: x}',
        'j3: {extends: j2, variables: !reference [.plain, variables]}',
        'j4: {extends: .plain, script: [y]}',
        'j5: {script: !reference [j4, variables, A]}',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.data['j1']).toEqual({ image: 'i', variables: { A: '1' }, script: [['s1'], 'j'] });
    expect(r.data['j2']).toEqual({ before_script: [['s1']], script: 'x' });
    expect(r.data['j3']).toEqual({ before_script: [['s1']], script: 'x', variables: { A: '1' } });
    expect(r.data['j4']).toEqual({ image: 'i', variables: { A: '1' }, script: ['y'] });
    expect(r.data['j5']).toEqual({ script: '1' });
  });

  it('still finds a circular chain through a merged job', async () => {
    const r = await load('.p: {image: i}\njob: {extends: .p, script: [!reference [job, script]]}\n');
    expect(messages(r)).toEqual(['!reference ["job", "script"] is part of a circular chain']);
  });
});

describe('error positions across files', () => {
  it('places an extends error of an included job in the included file', async () => {
    const r = await load('include: ci/jobs.yml\nlocal-job: {script: x}\n', { 'ci/jobs.yml': '# jobs\nremote-job:\n  script: y\n  extends: .nowhere\n' });
    expect(r.errors).toEqual([
      { file: 'ci/jobs.yml', line: 4, column: 3, path: ['remote-job', 'extends'], message: 'remote-job: unknown keys in `extends` (.nowhere)' },
    ]);
  });

  it('places a !reference error in the file that holds the tag', async () => {
    const r = await load('include: a.yml\n', { 'a.yml': 'job:\n  script:\n    - echo\n    - !reference [.gone, script]\n' });
    expect(r.errors).toMatchObject([{ file: 'a.yml', line: 4, path: ['job', 'script', 1] }]);
  });
});
