import { mkdtemp, mkdir, writeFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { resolvePaths } from './path-globs.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'drydock-globs-'));
  for (const f of ['dist/app.js', 'dist/app.js.map', 'dist/sub/x.txt', 'logs/a.log', 'logs/deep/b.log', 'README.md', '.hidden/h.txt']) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await writeFile(path.join(root, f), f);
  }
  await mkdir(path.join(root, 'empty'), { recursive: true });
  await symlink('README.md', path.join(root, 'link.md'));
});

describe('resolvePaths', () => {
  it('takes a directory whole', async () => {
    const r = await resolvePaths(root, ['dist/'], []);
    expect(r.files).toEqual(['dist/app.js', 'dist/app.js.map', 'dist/sub/x.txt']);
    expect(r.messages[0]).toBe('dist/: found 3 matching artifact files and directories');
  });

  it('matches doublestar globs and applies exclude', async () => {
    const r = await resolvePaths(root, ['**/*.log', 'dist'], ['dist/**/*.map', 'logs/deep']);
    expect(r.files).toEqual(['dist/app.js', 'dist/sub/x.txt', 'logs/a.log']);
  });

  it('keeps empty directories and symlinks, matches dot files', async () => {
    const r = await resolvePaths(root, ['empty', 'link.md', '.hidden/*']);
    expect(r.files).toEqual(['.hidden/h.txt', 'empty/', 'link.md']);
  });

  it('warns about patterns that match nothing or leave the project', async () => {
    const r = await resolvePaths(root, ['nope/', '../etc/passwd', '/abs']);
    expect(r.files).toEqual([]);
    expect(r.messages[0]).toMatch(/^WARNING: nope\/: no matching files/);
    expect(r.messages[1]).toMatch(/outside the project directory/);
    expect(r.messages[2]).toMatch(/outside the project directory/);
  });

  it('adds extra (untracked) files unless excluded', async () => {
    const r = await resolvePaths(root, [], ['*.md'], ['README.md', 'logs/a.log']);
    expect(r.files).toEqual(['logs/a.log']);
  });
});
