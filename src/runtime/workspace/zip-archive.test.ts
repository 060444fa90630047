import { mkdtemp, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { countZipFiles, createZip, extractZip } from './zip-archive.js';

const signal = new AbortController().signal;

describe('zip archives', () => {
  it('round-trips files, modes, symlinks and empty directories', async () => {
    const src = await mkdtemp(path.join(os.tmpdir(), 'zip-src-'));
    await mkdir(path.join(src, 'dist/sub'), { recursive: true });
    await mkdir(path.join(src, 'empty'));
    await writeFile(path.join(src, 'dist/app.txt'), 'hello');
    await writeFile(path.join(src, 'dist/sub/run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await symlink('app.txt', path.join(src, 'dist/link'));
    const zipFile = path.join(src, '..', `${path.basename(src)}.zip`);
    const stats = await createZip(src, ['dist/app.txt', 'dist/link', 'dist/sub/run.sh', 'empty/', 'missing.txt'], zipFile, signal);
    expect(stats.files).toBe(3);
    expect(await countZipFiles(zipFile)).toBe(3);

    const dst = await mkdtemp(path.join(os.tmpdir(), 'zip-dst-'));
    await writeFile(path.join(dst, 'keep.txt'), 'untouched');
    const out = await extractZip(zipFile, dst, signal);
    expect(out.files).toBe(3);
    expect(await readFile(path.join(dst, 'dist/app.txt'), 'utf8')).toBe('hello');
    expect((await stat(path.join(dst, 'dist/sub/run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readlink(path.join(dst, 'dist/link'))).toBe('app.txt');
    expect((await stat(path.join(dst, 'empty'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(dst, 'keep.txt'), 'utf8')).toBe('untouched');
  });

  it('refuses entries that escape the target directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'zip-evil-'));
    const zipFile = path.join(dir, 'evil.zip');
    const zip = new yazl.ZipFile();
    // yazl itself refuses '..' names, so write one through a safe name and patch the bytes.
    zip.addBuffer(Buffer.from('x'), 'aa/evil.txt');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(zipFile));
    const bytes = await readFile(zipFile);
    await writeFile(zipFile, Buffer.from(bytes.toString('latin1').replaceAll('aa/evil.txt', '../evil.txt'), 'latin1'));
    await expect(extractZip(zipFile, path.join(dir, 'out'), signal)).rejects.toThrow(/outside|invalid relative path/);
  });
});
