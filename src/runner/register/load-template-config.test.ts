import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateConfig } from './load-template-config.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'drydock-template-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const write = async (name: string, text: string) => {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
};

describe('loadTemplateConfig', () => {
  it('returns the one entry as written (no defaults filled in)', async () => {
    const file = await write('ok.toml', '[[runners]]\n  [runners.docker]\n    network_mode = "host"\n    [[runners.docker.services]]\n      name = "docker:dind"\n');
    expect(await loadTemplateConfig(file)).toEqual({ docker: { network_mode: 'host', services: [{ name: 'docker:dind' }] } });
  });

  it('needs exactly one [[runners]] entry', async () => {
    const file = await write('two.toml', '[[runners]]\n  name = "a"\n[[runners]]\n  name = "b"\n');
    await expect(loadTemplateConfig(file)).rejects.toThrow('exactly one [[runners]] entry, found 2');
  });

  it('reports bad keys with file and line, and a missing file by name', async () => {
    const file = await write('bad.toml', '[[runners]]\n  [runners.docker]\n    privileged = "yes"\n');
    await expect(loadTemplateConfig(file)).rejects.toThrow(/bad\.toml:3.*privileged: expected a boolean/);
    await expect(loadTemplateConfig(path.join(dir, 'missing.toml'))).rejects.toThrow('cannot read the template config (--template-config)');
  });
});
