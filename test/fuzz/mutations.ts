// fast-check arbitraries that turn a fixture's .gitlab-ci.yml into hostile input: random keys,
// wrong types, truncation, deep nesting, alias bombs, recursive aliases, huge strings, unicode.
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

export interface Seed {
  dir: string;
  text: string;
  /** The parsed document, when it parses to a mapping (data-level mutations need it). */
  data?: Record<string, unknown>;
}

export interface FuzzCase {
  kind: string;
  dir: string;
  content: string;
}

const KEYWORDS = [
  'script', 'stage', 'stages', 'image', 'services', 'variables', 'rules', 'needs', 'extends', 'include',
  'default', 'workflow', 'only', 'except', 'when', 'parallel', 'matrix', 'artifacts', 'cache', 'retry',
  'allow_failure', 'trigger', 'environment', 'inherit', 'dependencies', 'timeout', 'tags', 'spec', 'if',
  'changes', 'exists', 'start_in', 'coverage', 'resource_group', 'before_script', 'after_script', 'hooks',
  '.hidden', '<<', '', ' ', 'キー', '\u0000', '$VAR', 'x'.repeat(300),
];

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53, 1e309, '', '$[[ inputs.x ]]', '/(/', '${A}$B%C%', '!reference'),
  fc.array(fc.string(), { maxLength: 5 }),
);

/** All [container, key] slots of a value, so a mutation can pick one at random. */
function slots(root: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 12) return;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); walk(x, depth + 1); });
    else for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, unknown>, k]); walk(x, depth + 1); }
  };
  walk(root, 0);
  return out;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function dump(data: unknown): string {
  try {
    return stringify(data, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    return JSON.stringify(data) ?? '';
  }
}

function withSeed(seeds: Seed[], f: (s: Seed) => fc.Arbitrary<FuzzCase>): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...seeds).chain(f);
}

export function parseSeed(dir: string, text: string): Seed {
  try {
    const data: unknown = parse(text, { maxAliasCount: 1000, uniqueKeys: false, logLevel: 'silent' });
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) return { dir, text, data: data as Record<string, unknown> };
  } catch {
    // Seeds that do not parse are still useful for the text-level mutations.
  }
  return { dir, text };
}

export function fuzzCase(seeds: Seed[]): fc.Arbitrary<FuzzCase> {
  const dataSeeds = seeds.filter((s) => s.data !== undefined);
  const anyDir = seeds[0]?.dir ?? '.';
  const randomKey = withSeed(dataSeeds, (s) =>
    fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...KEYWORDS), fc.string()), anyValue).map(([at, key, value]) => {
      const data = clone(s.data);
      const targets = slots(data).map(([c, k]) => (c as Record<string | number, unknown>)[k]).filter(
        (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
      );
      const target = targets.length > 0 ? targets[at % targets.length] : data;
      if (target) target[key] = value;
      return { kind: 'random-key', dir: s.dir, content: dump(data) };
    }),
  );
  const wrongType = withSeed(dataSeeds, (s) =>
    fc.tuple(fc.nat(), anyValue).map(([at, value]) => {
      const data = clone(s.data);
      const all = slots(data);
      const slot = all[at % Math.max(all.length, 1)];
      if (slot) (slot[0] as Record<string | number, unknown>)[slot[1]] = value;
      return { kind: 'wrong-type', dir: s.dir, content: dump(data) };
    }),
  );
  const deepNest = withSeed(dataSeeds, (s) =>
    fc.tuple(fc.nat(), fc.integer({ min: 20, max: 400 }), fc.boolean()).map(([at, depth, useArrays]) => {
      const data = clone(s.data);
      let nested: unknown = 'leaf';
      for (let i = 0; i < depth; i++) nested = useArrays ? [nested] : { [`k${i}`]: nested };
      const all = slots(data);
      const slot = all[at % Math.max(all.length, 1)];
      if (slot) (slot[0] as Record<string | number, unknown>)[slot[1]] = nested;
      else if (data) data.deep = nested;
      // Flow style keeps 400 levels on one line instead of a 400-column indentation staircase.
      return { kind: 'deep-nesting', dir: s.dir, content: JSON.stringify(data) };
    }),
  );
  const truncate = withSeed(seeds, (s) =>
    fc.nat({ max: Math.max(s.text.length - 1, 0) }).map((at) => ({ kind: 'truncation', dir: s.dir, content: s.text.slice(0, at) })),
  );
  const unicode = withSeed(seeds, (s) =>
    fc.tuple(fc.nat({ max: s.text.length }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })).map(([at, junk]) => ({
      kind: 'unicode',
      dir: s.dir,
      content: s.text.slice(0, at) + junk + s.text.slice(at),
    })),
  );
  const aliasBomb = fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('script', 'variables')).map(
    ([levels, width, where]) => {
      const lines = ['l0: &l0 ["lol"]'];
      for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(',')}]`);
      lines.push(where === 'script' ? `job:\n  script: *l${levels}` : `job:\n  script: echo\n  variables:\n    BOMB: *l${levels}`);
      return { kind: 'alias-bomb', dir: anyDir, content: `${lines.join('\n')}\n` };
    },
  );
  const recursiveAlias = fc.constantFrom(
    'job: &j\n  script: echo\n  extends: *j\n',
    'job:\n  script: &s [echo, *s]\n',
    'a: &a\n  b: *a\njob:\n  script: echo\n  variables: *a\n',
    'job:\n  script: echo\n  <<: *missing\n',
    '.x: &x {script: echo, <<: *x}\njob: *x\n',
    'job:\n  script: !reference [job, script]\n',
    'job:\n  script: !reference [a, b, c, d, e, f, g]\n',
    '.a: {extends: .b, script: echo}\n.b: {extends: .a}\njob: {extends: [.a, .b, .a]}\n',
  ).map((content) => ({ kind: 'recursive-alias', dir: anyDir, content }));
  const hugeString = withSeed(dataSeeds, (s) =>
    fc.tuple(fc.integer({ min: 100_000, max: 2_000_000 }), fc.constantFrom('value', 'key', 'script')).map(([size, where]) => {
      const data = clone(s.data) ?? {};
      const big = 'x'.repeat(size);
      if (where === 'key') data[big] = { script: 'echo' };
      else if (where === 'script') data.big_job = { script: [big] };
      else data.variables = { BIG: big };
      return { kind: 'huge-string', dir: s.dir, content: dump(data) };
    }),
  );
  return fc.oneof(randomKey, wrongType, deepNest, truncate, unicode, aliasBomb, recursiveAlias, hugeString);
}
