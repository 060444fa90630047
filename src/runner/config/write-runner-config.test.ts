import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_CONFIG } from '../../../test/unit/runner-config/big-config.js';
import { COMPLETE_EXAMPLES, FRAGMENTS, fillPlaceholders } from '../../../test/unit/runner-config/document-examples.js';
import { RunnerConfigError, formatConfigError } from './config-error.js';
import { parseRunnerConfig } from './load-runner-config.js';
import type { RunnerConfigFile } from './schema.js';
import { addRunner, removeRunner, saveRunnerConfig, serializeRunnerConfig } from './write-runner-config.js';

function mustParse(text: string): RunnerConfigFile {
  const { config, errors } = parseRunnerConfig(text, 'config.toml');
  if (!config) throw new Error(errors.map(formatConfigError).join('\n'));
  return config;
}

describe('serializeRunnerConfig round-trips', () => {
  const samples: Record<string, string> = {
    big: BIG_CONFIG,
    ...Object.fromEntries(Object.entries({ ...COMPLETE_EXAMPLES, ...FRAGMENTS }).map(([k, v]) => [k, fillPlaceholders(v)])),
  };

  it.each(Object.entries(samples))('%s: parse → serialize → parse gives equal data', (_, text) => {
    const first = mustParse(text);
    const written = serializeRunnerConfig(first);
    expect(mustParse(written)).toEqual(first);
    // And writing is stable: a second pass writes the same text.
    expect(serializeRunnerConfig(mustParse(written))).toBe(written);
  });

  it('writes gitlab-runner\'s layout and leaves defaults out', () => {
    const written = serializeRunnerConfig(mustParse(fillPlaceholders(COMPLETE_EXAMPLES.dindTls)));
    expect(written).toBe(
      [
        'concurrent = 1',
        'check_interval = 3',
        '',
        '[[runners]]',
        '  name = ""',
        '  url = "https://gitlab.com/"',
        '  id = 0',
        '  token = "TOKEN"',
        '  executor = "docker"',
        '  [runners.docker]',
        '    image = "docker:20.10.16"',
        '    privileged = true',
        '    volumes = ["/certs/client", "/cache"]',
        '  [runners.cache]',
        '    [runners.cache.s3]',
        '    [runners.cache.gcs]',
        '',
      ].join('\n'),
    );
  });

  it('keeps tables Drydock does not interpret, dates, quoted keys and awkward strings', () => {
    const config = mustParse(BIG_CONFIG);
    const written = serializeRunnerConfig(config);
    expect(written).toContain('token_obtained_at = 2024-05-01T10:00:00Z');
    expect(written).toContain('"net.ipv4.ip_forward" = "1"');
    expect(written).toContain('[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms]]');
    expect(written).toContain('pre_build_script = """\nset -e\necho \\"multi-line [not.a.table]\\"\n"""');
    expect(mustParse(written).runners[2]?.ssh).toEqual({ host: 'build.example.com', user: 'ci' });
  });

  it('refuses invalid data with the table and key named', () => {
    const bad = { runners: [{ executor: 'docker', docker: { privileged: 'yes' } }] } as unknown as RunnerConfigFile;
    expect(() => serializeRunnerConfig(bad)).toThrow('[runners.docker] privileged: expected a boolean');
  });

  it('round-trips generated strings, lists and numbers (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 });
    const entry = fc.record({
      name: text,
      environment: fc.array(fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), text).map(([k, v]) => `${k}=${v}`), { maxLength: 4 }),
      limit: fc.nat({ max: 1000 }),
      docker: fc.record({
        image: text,
        volumes: fc.array(text, { maxLength: 4 }),
        privileged: fc.boolean(),
        shm_size: fc.nat(),
        sysctls: fc.dictionary(text, text, { maxKeys: 3 }),
      }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3 }), fc.integer({ min: 1, max: 64 }), (runners, concurrent) => {
        const config = mustParse(serializeRunnerConfig({ concurrent, runners }));
        expect(mustParse(serializeRunnerConfig(config))).toEqual(config);
        expect(config.runners.map((r) => r.docker?.sysctls)).toEqual(runners.map((r) => r.docker.sysctls));
        expect(config.runners.map((r) => r.name)).toEqual(runners.map((r) => r.name));
      }),
      { numRuns: 150 },
    );
  });
});

describe('addRunner', () => {
  const entry = {
    name: 'dind',
    url: 'https://gitlab.example.com/',
    id: 7,
    token: 'glrt-new',
    token_obtained_at: new Date('2025-01-02T03:04:05Z'),
    executor: 'docker' as const,
    docker: { image: 'docker:20.10.16', privileged: true, volumes: ['/certs/client', '/cache'] },
  };

  it('starts a new file the way gitlab-runner register does', () => {
    const text = addRunner(undefined, entry);
    expect(text.startsWith('concurrent = 1\ncheck_interval = 0\n\n[session_server]\n  session_timeout = 1800\n\n[[runners]]\n')).toBe(true);
    const config = mustParse(text);
    expect(config.session_server?.session_timeout).toBe(1800);
    expect(config.runners).toHaveLength(1);
    expect(config.runners[0]).toMatchObject({ name: 'dind', id: 7, executor: 'docker' });
    expect(config.runners[0]?.token_obtained_at?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(addRunner('  \n', entry)).toBe(text);
  });

  it('appends to an existing file and leaves every byte before it alone', () => {
    const text = addRunner(BIG_CONFIG, entry);
    expect(text.startsWith(BIG_CONFIG.trimEnd())).toBe(true);
    const before = mustParse(BIG_CONFIG);
    const after = mustParse(text);
    expect(after.runners.slice(0, 3)).toEqual(before.runners);
    expect(after.runners[3]?.docker?.volumes).toEqual(['/certs/client', '/cache']);
    expect({ ...after, runners: [] }).toEqual({ ...before, runners: [] });
  });

  it('re-serialises when the file keeps its runners inline, where appending [[runners]] is not TOML', () => {
    const inline = 'concurrent = 2\nrunners = [{ name = "old", executor = "shell" }]\n';
    const text = addRunner(inline, entry);
    expect(mustParse(text).runners.map((r) => r.name)).toEqual(['old', 'dind']);
    expect(mustParse(text).concurrent).toBe(2);
  });

  it('refuses to extend a broken file, reporting its errors', () => {
    expect(() => addRunner('[[runners]]\n  exector = "docker"\n', entry)).toThrow(RunnerConfigError);
    expect(() => addRunner('[[runners]\n', entry)).toThrow(/TOML syntax error/);
  });

  it('refuses an invalid entry, naming its key', () => {
    const bad = { ...entry, docker: { pull_policy: ['sometimes'] } } as unknown as typeof entry;
    try {
      addRunner(BIG_CONFIG, bad);
      expect.unreachable();
    } catch (err) {
      expect((err as RunnerConfigError).errors.map((e) => [e.path, e.message])).toEqual([
        [['runners', 3, 'docker', 'pull_policy', 0], '[runners.docker] pull_policy[0]: expected one of "always", "if-not-present", "never", got "sometimes"'],
      ]);
    }
  });
});

describe('removeRunner', () => {
  it('cuts out exactly the chosen entry with its sub-tables, keeping comments and other entries', () => {
    const text = removeRunner(BIG_CONFIG, (r) => r.name === 'k8s');
    const before = mustParse(BIG_CONFIG);
    const after = mustParse(text);
    expect(after.runners.map((r) => r.name)).toEqual(['docker-builder', 'shell']);
    expect(after.runners[0]).toEqual(before.runners[0]);
    expect(text).toContain('# Managed by hand; comments must survive addRunner/removeRunner.');
    expect(text).toContain('"/certs/client",   # shared with the dind service');
    expect(text).not.toContain('kubernetes');
  });

  it('removes several, first and last included, and returns the text unchanged when none match', () => {
    const text = removeRunner(BIG_CONFIG, (_, i) => i !== 1);
    expect(mustParse(text).runners.map((r) => r.name)).toEqual(['k8s']);
    expect(mustParse(text).session_server?.listen_address).toBe('[::]:8093');
    expect(removeRunner(BIG_CONFIG, () => false)).toBe(BIG_CONFIG);
  });

  it('undoes addRunner', () => {
    const added = addRunner(BIG_CONFIG, { name: 'tmp', executor: 'shell' });
    expect(mustParse(removeRunner(added, (r) => r.name === 'tmp'))).toEqual(mustParse(BIG_CONFIG));
  });

  it('keeps the final newline when the last entry goes', () => {
    const text = 'concurrent = 2\n\n[[runners]]\n  name = "a"\n  executor = "shell"\n';
    expect(removeRunner(text, () => true).endsWith('\n')).toBe(true);
  });

  it('keeps a table that follows the runners', () => {
    const text = '[[runners]]\n  name = "a"\n  [runners.docker]\n    image = "x"\n\n[session_server]\n  session_timeout = 60\n';
    const out = removeRunner(text, () => true);
    expect(out).toBe('[session_server]\n  session_timeout = 60\n');
  });
});

describe('saveRunnerConfig', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drydock-save-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the directory and writes the file with mode 0600, leaving no temp file', async () => {
    const path = join(dir, 'etc', 'drydock', 'config.toml');
    const text = addRunner(undefined, { name: 'a', executor: 'shell' });
    await saveRunnerConfig(path, text);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'etc', 'drydock'))).toEqual(['config.toml']);
  });

  it('replaces an existing file (even one with loose permissions) in one step', async () => {
    const path = join(dir, 'replace.toml');
    await writeFile(path, 'concurrent = 1\n', { mode: 0o644 });
    await saveRunnerConfig(path, 'concurrent = 3\n');
    expect(await readFile(path, 'utf8')).toBe('concurrent = 3\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('never writes text that does not load, and leaves the old file in place', async () => {
    const path = join(dir, 'keep.toml');
    await writeFile(path, 'concurrent = 1\n');
    await expect(saveRunnerConfig(path, 'concurrent = 0\n')).rejects.toThrow(/concurrent: must be at least 1/);
    expect(await readFile(path, 'utf8')).toBe('concurrent = 1\n');
    expect(await readdir(dir)).not.toContain(expect.stringMatching(/\.tmp$/));
  });

  it('cleans up its temp file when aborted', async () => {
    const path = join(dir, 'aborted.toml');
    await expect(saveRunnerConfig(path, 'concurrent = 1\n', { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect((await readdir(dir)).filter((n) => n.includes('aborted'))).toEqual([]);
  });
});
