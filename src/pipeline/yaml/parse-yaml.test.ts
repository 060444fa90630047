import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from './load-config.js';
import { parseYaml, TOO_BIG } from './parse-yaml.js';
import { PositionIndex } from './position-index.js';
import { ReferenceTag } from './reference-tag.js';

function load(content: string, extra: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ projectDir: '/p', content, readFile: async () => undefined, listFiles: () => [], ...extra });
}

describe('parseYaml', () => {
  it('reads YAML 1.1 scalars the way Psych does', () => {
    const { documents } = parseYaml('n: y\na: yes\nb: off\nc: 012\nd: 0x1F\ne: 2001-12-14\nf: ~\ng: "yes"\n', 'f.yml', new PositionIndex());
    expect(documents[0]).toEqual({ n: 'y', a: true, b: false, c: 10, d: 31, e: '2001-12-14', f: null, g: 'yes' });
  });

  it('expands anchors and aliases', () => {
    const { documents } = parseYaml('x: &s [a, b]\ny: *s\nz: &m {k: v}\nw: *m\n', 'f.yml', new PositionIndex());
    expect(documents[0]).toEqual({ x: ['a', 'b'], y: ['a', 'b'], z: { k: 'v' }, w: { k: 'v' } });
  });

  it('applies merge keys in Psych order: later keys override, earlier merged maps win', () => {
    const text = [
      '.a: &a {image: a, tags: [a], only_a: 1}',
      '.b: &b {image: b, tags: [b], only_b: 2}',
      'job:',
      '  image: before',
      '  <<: [*a, *b]',
      '  tags: [mine]',
      'inline:',
      '  <<: {x: 1}',
      '  y: 2',
    ].join('\n');
    const { documents } = parseYaml(text, 'f.yml', new PositionIndex());
    const doc = documents[0] as Record<string, Record<string, unknown>>;
    // Psych: `hash.merge!` of the merged maps happens where `<<` is written, so it overrides
    // keys written before it, and keys written after it override the merged ones.
    expect(doc['job']).toEqual({ image: 'a', tags: ['mine'], only_a: 1, only_b: 2 });
    expect(doc['inline']).toEqual({ x: 1, y: 2 });
  });

  it('keeps a `<<` that does not merge a mapping as a plain key', () => {
    const { documents } = parseYaml('job:\n  <<: just text\n', 'f.yml', new PositionIndex());
    expect(documents[0]).toEqual({ job: { '<<': 'just text' } });
  });

  it('turns !reference into a tag object with its position', () => {
    const index = new PositionIndex();
    const { documents, hasReferences } = parseYaml('job:\n  script:\n    - !reference [.a, script]\n', 'f.yml', index);
    expect(hasReferences).toBe(true);
    const tag = ((documents[0] as Record<string, Record<string, unknown[]>>)['job']!['script']![0]) as ReferenceTag;
    expect(tag).toBeInstanceOf(ReferenceTag);
    expect(tag.location).toEqual(['.a', 'script']);
    expect(index.nodePos(tag)?.line).toBe(3);
  });

  it('records the containers with no !reference below them, through aliases and merge keys', () => {
    const tagFree = new WeakSet<object>();
    const text = '.t: &t {a: [x], b: !reference [.s, script]}\n.c: &c {k: [v]}\nj1: {<<: *c, s: [1]}\nj2: {<<: *t}\nj3: [*t]\n';
    const doc = parseYaml(text, 'f.yml', new PositionIndex(), undefined, tagFree).documents[0] as Record<string, Record<string, unknown>>;
    expect(tagFree.has(doc)).toBe(false);
    expect(tagFree.has(doc['.t']!)).toBe(false);
    expect(tagFree.has(doc['.t']!['a'] as object)).toBe(true);
    expect(tagFree.has(doc['.c']!)).toBe(true);
    expect(tagFree.has(doc['j1']!)).toBe(true); // the merged mapping
    expect(tagFree.has(doc['j2']!)).toBe(false);
    expect(tagFree.has(doc['j3']!)).toBe(false); // an alias of a tagged mapping
  });

  it('stores a __proto__ key as data, never as the prototype', () => {
    const { documents } = parseYaml('__proto__: {polluted: true}\njob: {script: x}\n', 'f.yml', new PositionIndex());
    const doc = documents[0] as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(doc, '__proto__')).toBe(true);
    expect((doc as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('reports a syntax error with its line and column', () => {
    const { error } = parseYaml('job:\n  script: [a, b\nother: 1\n', 'f.yml', new PositionIndex());
    expect(error?.pos.file).toBe('f.yml');
    expect(error?.pos.line).toBeGreaterThan(0);
    expect(error?.pos.column).toBeGreaterThan(0);
    expect(error?.message).not.toMatch(/\n/);
  });

  it('stops a billion-laughs document quickly with GitLab\'s size error', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghij';
    for (let i = 1; i < names.length; i += 1) {
      const prev = names[i - 1] as string;
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const { error } = parseYaml(lines.join('\n'), 'f.yml', new PositionIndex());
    expect(error?.message).toBe(TOO_BIG);
    expect(Date.now() - started).toBeLessThan(5_000); // a hang would take minutes; this is not a benchmark
  });

  it('refuses data nested deeper than 100 levels', () => {
    const deep = `${'['.repeat(150)}1${']'.repeat(150)}`;
    expect(parseYaml(`a: ${deep}\n`, 'f.yml', new PositionIndex()).error?.message).toBe(TOO_BIG);
    const ok = `${'['.repeat(50)}1${']'.repeat(50)}`;
    expect(parseYaml(`a: ${ok}\n`, 'f.yml', new PositionIndex()).error).toBeUndefined();
  });

  it('refuses alias fan-out that stays small in text but is deep when expanded', () => {
    const lines = ['l0: &l0 [x]'];
    for (let i = 1; i <= 120; i += 1) lines.push(`l${i}: &l${i} [*l${i - 1}]`);
    expect(parseYaml(lines.join('\n'), 'f.yml', new PositionIndex()).error?.message).toBe(TOO_BIG);
  });

  it('survives absurd nesting without throwing', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseYaml(deep, 'f.yml', new PositionIndex()).error).toBeDefined();
  });
});

describe('loadConfig: file-level errors', () => {
  it('asks for content when the file is empty', async () => {
    const r = await load('  \n# only a comment\n');
    expect(r.errors.map((e) => e.message)).toEqual(['Please provide content of .gitlab-ci.yml']);
  });

  it('rejects a root that is not a mapping', async () => {
    const r = await load('- a\n- b\n');
    expect(r.errors).toMatchObject([{ message: 'Invalid configuration format', file: '.gitlab-ci.yml', line: 1, column: 1 }]);
  });

  it('reports a missing .gitlab-ci.yml instead of throwing', async () => {
    const r = await loadConfig({ projectDir: '/p', readFile: async () => undefined, listFiles: () => [] });
    expect(r.errors[0]?.message).toMatch(/\.gitlab-ci\.yml not found/);
  });

  it('returns syntax errors with file, line and column', async () => {
    const r = await load('ok:\n  script: x\nbad: [\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: '.gitlab-ci.yml' });
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('bounds billion laughs through the public entry too', async () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i += 1) text += `a${i}: &a${i} [${Array(10).fill(i === 1 ? '*a' : `*a${i - 1}`).join(', ')}]\n`;
    const r = await load(text);
    expect(r.errors.map((e) => e.message)).toEqual([TOO_BIG]);
  });
});

describe('positions of parsed data', () => {
  it('finds keys written in the mapping, keys brought in by <<, and items behind aliases', async () => {
    const text = ['.defaults: &defaults', '  image: alpine', '  tags: [docker]', 'job:', '  <<: *defaults', '  script:', '    - make', 'other:', '  script: &s [a, b]', 'again:', '  script: *s'].join('\n');
    const r = await load(text);
    expect(r.errors).toEqual([]);
    const at = (...p: Array<string | number>) => r.sourceMap.positionOf(p);
    expect(at('job', 'script', 0)).toEqual({ file: '.gitlab-ci.yml', line: 7, column: 7 });
    expect(at('job', 'image')).toEqual({ file: '.gitlab-ci.yml', line: 2, column: 3 });
    expect(at('again', 'script')).toEqual({ file: '.gitlab-ci.yml', line: 11, column: 3 });
    expect(at('again', 'script', 1)).toMatchObject({ line: 9 });
  });
});
