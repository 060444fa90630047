import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchSources, type FetchSourcesOptions } from './fetch-sources.js';

const run = promisify(execFile);
const env = { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' };
const git = async (cwd: string, ...args: string[]) => (await run('git', args, { cwd, env })).stdout.trim();

let origin: string;
let sha1: string;
let sha2: string;

beforeAll(async () => {
  const wc = await mkdtemp(path.join(os.tmpdir(), 'src-wc-'));
  await git(wc, 'init', '-q', '-b', 'main');
  await writeFile(path.join(wc, 'a.txt'), 'one');
  await git(wc, 'add', '-A');
  await git(wc, 'commit', '-qm', 'one');
  sha1 = await git(wc, 'rev-parse', 'HEAD');
  await writeFile(path.join(wc, 'a.txt'), 'two');
  await git(wc, 'commit', '-qam', 'two');
  sha2 = await git(wc, 'rev-parse', 'HEAD');
  origin = `${wc}/.git`;
});

async function fetchInto(target: string, over: Partial<FetchSourcesOptions> = {}): Promise<string[]> {
  const lines: string[] = [];
  await fetchSources({
    targetDir: target, repoUrl: `file://${origin}`, sha: sha2, refName: 'main', refspecs: ['+refs/heads/main:refs/remotes/origin/main'],
    depth: 0, strategy: '', allowFetch: true, checkout: true, cleanFlags: '', fetchExtraFlags: '', submoduleStrategy: '',
    log: (l) => lines.push(l), signal: new AbortController().signal, ...over,
  });
  return lines;
}

describe('fetchSources', () => {
  it('clones, then reuses and cleans the checkout with GIT_STRATEGY fetch', async () => {
    const target = path.join(await mkdtemp(path.join(os.tmpdir(), 'builds-')), 'g/p');
    const first = await fetchInto(target, { depth: 1 });
    expect(first).toContain('Fetching changes with git depth set to 1...');
    expect(first).toContain('Created fresh repository.');
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('two');
    await writeFile(path.join(target, 'junk.txt'), 'x');
    const second = await fetchInto(target, { sha: sha1 });
    expect(second.some((l) => l.startsWith('Reinitialized existing Git repository'))).toBe(true);
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('one');
    expect(await readdir(target)).not.toContain('junk.txt');
  });

  it('GIT_STRATEGY none leaves the directory, empty empties it', async () => {
    const target = await mkdtemp(path.join(os.tmpdir(), 'builds-'));
    await writeFile(path.join(target, 'keep'), 'x');
    expect(await fetchInto(target, { strategy: 'none' })).toEqual(['Skipping Git repository setup']);
    expect(await readdir(target)).toEqual(['keep']);
    await fetchInto(target, { strategy: 'empty' });
    expect(await readdir(target)).toEqual([]);
  });

  it('names the problem when the commit cannot be checked out, without credentials', async () => {
    const target = path.join(await mkdtemp(path.join(os.tmpdir(), 'builds-')), 'p');
    await expect(fetchInto(target, { sha: 'f'.repeat(40), depth: 1 })).rejects.toThrow(/git checkout failed: .*raise GIT_DEPTH/s);
    await expect(fetchInto(target, { repoUrl: 'http://gitlab-ci-token:SECRET@127.0.0.1:1/x.git', strategy: 'clone' })).rejects.toThrow(/^git fetch failed: (?!.*SECRET)/s);
    await expect(fetchInto(target, { strategy: 'copy' })).rejects.toThrow('unknown GIT_STRATEGY "copy": use clone, fetch, none or empty');
  });
});
