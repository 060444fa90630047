import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { readZipEntry } from './zip-entries.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function zipFile(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drydock-zip-'));
  dirs.push(dir);
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  const file = path.join(dir, 'a.zip');
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

describe('readZipEntry', () => {
  it('reads one entry by its path (a leading ./ or / is ignored), reports a missing one and refuses a large one', async () => {
    const file = await zipFile({ 'gen/child.yml': 'a: 1\n', 'gen/big.yml': 'x'.repeat(100) });
    expect(await readZipEntry(file, 'gen/child.yml', 1000)).toEqual({ kind: 'found', data: Buffer.from('a: 1\n') });
    expect(await readZipEntry(file, './gen/child.yml', 1000)).toMatchObject({ kind: 'found' });
    expect(await readZipEntry(file, '/gen/child.yml', 1000)).toMatchObject({ kind: 'found' });
    expect(await readZipEntry(file, 'gen/other.yml', 1000)).toEqual({ kind: 'missing' });
    expect(await readZipEntry(file, 'gen/big.yml', 99)).toEqual({ kind: 'too-large', size: 100 });
  });
});
