import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DOTENV_MAX_BYTES, parseDotenvReport, readSmallUpload } from './dotenv-report.js';

const gz = (text: string) => gzipSync(Buffer.from(text));

describe('parseDotenvReport (GitLab Ci::ParseDotenvArtifactService rules)', () => {
  it('reads KEY=VALUE lines from gzip (several members) or raw, trimming key and value, keeping quotes and later "="', () => {
    const data = Buffer.concat([gz('A=1\r\n B = two words \n'), gz('\uFEFFC="q"\nD=x=y\nE=\n')]);
    expect(parseDotenvReport(data, 'gzip')).toEqual({
      ok: true, variables: [{ key: 'A', value: '1' }, { key: 'B', value: 'two words' }, { key: 'C', value: '"q"' }, { key: 'D', value: 'x=y' }, { key: 'E', value: '' }],
    });
    expect(parseDotenvReport(Buffer.from('K=v'), 'raw')).toEqual({ ok: true, variables: [{ key: 'K', value: 'v' }] });
    expect(parseDotenvReport(Buffer.alloc(0), 'raw')).toEqual({ ok: true, variables: [] });
  });

  it('keeps the first place and the last value of a repeated key', () => {
    expect(parseDotenvReport(Buffer.from('A=1\nB=2\nA=3\n'), 'raw')).toEqual({ ok: true, variables: [{ key: 'A', value: '3' }, { key: 'B', value: '2' }] });
  });

  it('refuses blank lines, comments, bad keys, too many variables and too big files, naming the line', () => {
    const bad = (text: string) => parseDotenvReport(gz(text), 'gzip');
    expect(bad('A=1\n\nB=2\n')).toEqual({ ok: false, message: expect.stringMatching(/^Invalid Format \(dotenv line 2\)/) });
    expect(bad('# comment\n')).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid Format \(dotenv line 1\)/) });
    expect(bad('MY-KEY=1\n')).toEqual({ ok: false, message: "Validation failed: Key can contain only letters, digits and '_'. (dotenv line 1)" });
    expect(bad('export A=1\n')).toMatchObject({ ok: false, message: expect.stringContaining("Key can contain only letters, digits and '_'") });
    expect(bad(' =1\n')).toMatchObject({ ok: false, message: "Validation failed: Key can't be blank (dotenv line 1)" });
    expect(bad(`${'K'.repeat(256)}=1\n`)).toMatchObject({ ok: false, message: expect.stringContaining('Key is too long (maximum is 255 characters)') });
    const vars = (n: number) => Array.from({ length: n }, (_, i) => `V${i}=${i}\n`).join('');
    expect(bad(vars(20))).toMatchObject({ ok: true });
    expect(bad(vars(21))).toEqual({ ok: false, message: 'Dotenv files cannot have more than 20 variables' });
    expect(parseDotenvReport(Buffer.alloc(DOTENV_MAX_BYTES, 'A'), 'raw')).toEqual({ ok: false, message: 'Dotenv Artifact Too Big. Maximum Allowable Size: 5120' });
    expect(parseDotenvReport(Buffer.from('A=1'), 'gzip')).toMatchObject({ ok: false, message: expect.stringMatching(/^Dotenv report is not valid gzip/) });
    expect(parseDotenvReport(Buffer.from('A=1'), 'zip')).toMatchObject({ ok: false, message: expect.stringContaining('not supported') });
  });

  it('reads small uploads whole and drains large ones', async () => {
    expect((await readSmallUpload(Readable.from([Buffer.from('ab'), Buffer.from('c')]), 3))?.toString()).toBe('abc');
    expect(await readSmallUpload(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 3)).toBeUndefined();
  });
});
