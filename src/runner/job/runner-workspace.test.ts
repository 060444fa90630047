import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandRunner } from '../../pipeline/variables/expand.js';
import { jobPayloadSchema } from '../../protocol/index.js';
import type { CacheTransport } from '../cache/cache-transport.js';
import type { RunnerApiClient } from '../network/runner-api-client.js';
import { RunnerWorkspace } from './runner-workspace.js';

const signal = new AbortController().signal;

function memoryCache(): CacheTransport & { keys: () => string[] } {
  const store = new Map<string, string>();
  let n = 0;
  return {
    description: 'memory',
    keys: () => [...store.keys()],
    async fetch(key, dest) {
      const file = store.get(key);
      if (!file) return false;
      await copyFile(file, dest);
      return true;
    },
    async store(key, src) {
      const file = path.join(os.tmpdir(), `mem-cache-${process.pid}-${n++}.zip`);
      await copyFile(src, file);
      store.set(key, file);
    },
  };
}

function payload(cache: unknown[]) {
  return jobPayloadSchema.parse({
    id: 1, token: 't', job_info: { id: 1, name: 'b', stage: 's', pipeline_id: 1, project_id: 1, project_name: 'p' },
    git_info: { repo_url: 'http://x', ref: 'main', sha: 'a'.repeat(40) }, cache,
  });
}

async function workspace(cacheEntries: unknown[], cache: CacheTransport, vars: Record<string, string> = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'rw-'));
  const project = path.join(root, 'p');
  await mkdir(project, { recursive: true });
  const ws = new RunnerWorkspace({
    payload: payload(cacheEntries), hostProjectDir: project, hostTmpDir: `${project}.tmp`, repoUrl: 'http://x', cache,
    variables: Object.entries(vars).map(([key, value]) => ({ key, value, masked: false, file: false, raw: false })),
    client: {} as RunnerApiClient, expand: expandRunner,
  });
  const out: string[] = [];
  return { ws, project, log: { write: (c: string | Buffer) => { out.push(String(c)); } }, text: () => out.join('') };
}

describe('RunnerWorkspace caches', () => {
  it('archives with the expanded key and restores through a fallback key', async () => {
    const cache = memoryCache();
    const a = await workspace([{ key: 'deps-$CI_COMMIT_REF_SLUG', paths: ['vendor/'] }], cache, { CI_COMMIT_REF_SLUG: 'main' });
    await mkdir(path.join(a.project, 'vendor'));
    await writeFile(path.join(a.project, 'vendor/lib.txt'), 'lib');
    await a.ws.archiveCache('success', a.log, signal);
    expect(cache.keys()).toEqual(['deps-main']);
    expect(a.text()).toContain('Created cache');

    const b = await workspace([{ key: 'deps-feature', paths: ['vendor/'], fallback_keys: ['deps-main'] }], cache);
    await b.ws.restoreCache(b.log, signal);
    expect(b.text()).toContain('Using fallback cache key deps-main');
    expect(await readFile(path.join(b.project, 'vendor/lib.txt'), 'utf8')).toBe('lib');
  });

  it('skips unsafe keys and honours policy and when', async () => {
    const cache = memoryCache();
    const w = await workspace([
      { key: '../escape', paths: ['x'] },
      { key: 'pulled', paths: ['x'], policy: 'pull' },
      { key: 'on-failure', paths: ['x'], when: 'on_failure' },
    ], cache);
    await writeFile(path.join(w.project, 'x'), 'x');
    await w.ws.archiveCache('success', w.log, signal);
    expect(cache.keys()).toEqual([]);
    expect(w.text()).toContain('cache key "../escape" could not be used');
    await w.ws.restoreCache(w.log, signal);
    expect(w.text()).toContain('WARNING: file does not exist');
  });
});
