import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { parseDotenv } from '../runtime/workspace/dotenv.js';
import { expandJobVariables, resolveJobVariables } from './job-variables.js';
import { loadVariablesFile, parseVarFlag } from './user-variables.js';
import { parseExpireIn } from '../runtime/workspace/expire-in.js';

const v = (key: string, value: string, extra: object = {}) => ({ key, value, public: true, masked: false, file: false, raw: false, ...extra });

describe('resolveJobVariables precedence', () => {
  it('orders runner base < predefined < YAML < dotenv < user < runner directories', () => {
    const out = resolveJobVariables({
      runner: [{ key: 'CI_SERVER', value: 'yes' }, { key: 'CI_PROJECT_DIR', value: '/b/p' }, { key: 'X', value: 'runner' }],
      context: [{ key: 'CI_COMMIT_SHA', value: 'abc' }, { key: 'X', value: 'context' }],
      jobPredefined: [{ key: 'CI_JOB_NAME', value: 'build' }],
      yaml: [v('X', 'yaml'), v('Y', 'yaml'), v('Z', 'yaml'), v('CI_PROJECT_DIR', '/hijack')],
      dotenv: [{ key: 'Y', value: 'dotenv' }, { key: 'Z', value: 'dotenv' }],
      user: [{ key: 'Z', value: 'user', masked: true }],
    });
    const m = Object.fromEntries(out.map((r) => [r.key, r.value]));
    expect(m).toMatchObject({ X: 'yaml', Y: 'dotenv', Z: 'user', CI_PROJECT_DIR: '/b/p', CI_SERVER: 'yes', CI_JOB_NAME: 'build' });
    expect(out.find((r) => r.key === 'Z')?.masked).toBe(true);
    expect(new Set(out.map((r) => r.key)).size).toBe(out.length);
  });

  it('expands the YAML as written with the dotenv reports, as GitLab does when the job is picked up', () => {
    // Compiled: IMAGE was expanded with the YAML default of TAG and keeps its text.
    const out = resolveJobVariables({
      runner: [], context: [{ key: 'CI_REGISTRY_IMAGE', value: 'reg/p' }], jobPredefined: [],
      yaml: [v('TAG', 'latest'), v('IMAGE', 'reg/p:latest', { yamlValue: '$CI_REGISTRY_IMAGE:$TAG' }), v('NEXT', '$IMAGE-$TAG')],
      dotenv: [{ key: 'TAG', value: '1.2.3' }],
      user: [{ key: 'SUFFIX', value: '$TAG-user' }],
    });
    const m = Object.fromEntries(out.map((r) => [r.key, r.value]));
    expect(m).toMatchObject({ TAG: '1.2.3', IMAGE: 'reg/p:1.2.3', NEXT: 'reg/p:1.2.3-1.2.3', SUFFIX: '1.2.3-user' });
    expect(out.find((r) => r.key === 'IMAGE')).not.toHaveProperty('yamlValue');
    expect(out.find((r) => r.key === 'TAG')?.public).toBe(false);
  });

  it('expands values once, runner style, leaving raw and file references alone', () => {
    const out = expandJobVariables([
      { key: 'DIR', value: '/builds/p', masked: false, file: false, raw: false },
      { key: 'OUT', value: '$DIR/out ${MISSING}x $$HOME', masked: false, file: false, raw: false },
      { key: 'RAW', value: '$DIR', masked: false, file: false, raw: true },
      { key: 'CFG', value: 'secret', masked: false, file: true, raw: false },
      { key: 'USE', value: 'cat $CFG', masked: false, file: false, raw: false },
    ]);
    const m = Object.fromEntries(out.map((r) => [r.key, r.value]));
    expect(m).toMatchObject({ OUT: '/builds/p/out x $HOME', RAW: '$DIR', USE: 'cat ${CFG}' });
  });
});

describe('user variables', () => {
  it('parses --var', () => {
    expect(parseVarFlag('A=b=c')).toMatchObject({ key: 'A', value: 'b=c' });
    expect(() => parseVarFlag('=x')).toThrow(/KEY=VALUE/);
    expect(() => parseVarFlag('1A=x')).toThrow(/KEY=VALUE/);
  });

  it('loads YAML variables with masked/file flags and dotenv files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-vars-'));
    await writeFile(path.join(dir, 'v.yml'), 'A: 1\nSECRET:\n  value: hunter22\n  masked: true\nCFG:\n  value: "x: y"\n  type: file\n');
    await writeFile(path.join(dir, 'v.env'), '# c\nexport B="two"\nC=three\n');
    await writeFile(path.join(dir, 'bad.yml'), 'A:\n  valu: 1\n');
    expect(await loadVariablesFile(path.join(dir, 'v.yml'))).toEqual([
      { key: 'A', value: '1', masked: false, file: false, raw: false },
      { key: 'SECRET', value: 'hunter22', masked: true, file: false, raw: false },
      { key: 'CFG', value: 'x: y', masked: false, file: true, raw: false },
    ]);
    expect((await loadVariablesFile(path.join(dir, 'v.env'))).map((x) => [x.key, x.value])).toEqual([['B', 'two'], ['C', 'three']]);
    await expect(loadVariablesFile(path.join(dir, 'bad.yml'))).rejects.toThrow(/bad\.yml: A: expected \{ value/);
    await expect(loadVariablesFile(path.join(dir, 'missing.yml'))).rejects.toThrow(/cannot read variables file/);
  });
});

describe('parseDotenv', () => {
  it('reads KEY=VALUE lines and reports bad ones with their line', () => {
    const r = parseDotenv('A=1\n\n# x\nB = "q"\nnot a line\n9X=1\n');
    expect(r.entries).toEqual([{ key: 'A', value: '1' }, { key: 'B', value: 'q' }]);
    expect(r.problems.map((p) => p.line)).toEqual([5, 6]);
  });
});

describe('parseExpireIn', () => {
  it('understands GitLab durations', () => {
    expect(parseExpireIn('1 week')).toBe(604_800_000);
    expect(parseExpireIn('2 hrs 30 min')).toBe(9_000_000);
    expect(parseExpireIn('3600')).toBe(3_600_000);
    expect(parseExpireIn('never')).toBeUndefined();
    expect(parseExpireIn('soon')).toBeNull();
  });
});
