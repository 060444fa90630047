import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from './load-config.js';

type Files = Record<string, string>;

function load(files: Files, extra: Partial<LoadConfigOptions> = {}) {
  return loadConfig({
    projectDir: '/p',
    readFile: async (p) => files[p],
    listFiles: () => Object.keys(files),
    ...extra,
  });
}

const messages = (r: { errors: Array<{ message: string }> }) => r.errors.map((e) => e.message);

describe('include: local', () => {
  it('merges included files first and lets the including file win, hashes deep-merged', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: ci/base.yml\nvariables: {B: root}\nbuild:\n  script: [make]\n  variables: {Y: 2}\n',
      'ci/base.yml': 'variables: {A: base, B: base}\nbuild:\n  image: alpine\n  script: [old]\n  variables: {X: 1}\n',
    });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({
      variables: { A: 'base', B: 'root' },
      build: { image: 'alpine', script: ['make'], variables: { X: 1, Y: 2 } },
    });
    expect(r.includedFiles).toEqual(['ci/base.yml']);
  });

  it('accepts string, list and hash forms and root-relative paths', async () => {
    const r = await load({
      '.gitlab-ci.yml': "include:\n  - /a.yml\n  - local: 'b.yml'\n  - local: /c/c.yaml\nj: {script: x}\n",
      'a.yml': 'a: {script: a}\n',
      'b.yml': 'b: {script: b}\n',
      'c/c.yaml': 'c: {script: c}\n',
    });
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.data)).toEqual(['a', 'b', 'c', 'j']);
  });

  it('later included files override earlier ones', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: [one.yml, two.yml]\n',
      'one.yml': 'job: {script: one, stage: build}\n',
      'two.yml': 'job: {script: two}\n',
    });
    expect(r.data['job']).toEqual({ script: 'two', stage: 'build' });
  });

  it('expands * within a folder and ** across folders, in sorted order', async () => {
    const files: Files = {
      '.gitlab-ci.yml': "include:\n  - local: 'configs/*.yml'\n",
      'configs/b.yml': 'b: {script: b}\n',
      'configs/a.yml': 'a: {script: a}\n',
      'configs/sub/c.yml': 'c: {script: c}\n',
    };
    const one = await load(files);
    expect(one.includedFiles).toEqual(['configs/a.yml', 'configs/b.yml']);
    const all = await load({ ...files, '.gitlab-ci.yml': "include: 'configs/**.yml'\n" });
    expect(all.includedFiles).toEqual(['configs/a.yml', 'configs/b.yml', 'configs/sub/c.yml']);
    const sub = await load({ ...files, '.gitlab-ci.yml': "include: 'configs/**/*.yml'\n" });
    expect(sub.includedFiles).toEqual(['configs/sub/c.yml']);
  });

  it('resolves nested local includes from the project root, not the including folder', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: ci/a.yml\n',
      'ci/a.yml': 'include: ci/b.yml\na: {script: a}\n',
      'ci/b.yml': 'b: {script: b}\n',
    });
    expect(r.errors).toEqual([]);
    expect(r.includedFiles).toEqual(['ci/a.yml', 'ci/b.yml']);
    expect(Object.keys(r.data)).toEqual(['b', 'a']);
  });

  it('reports missing files, bad extensions and bad subkeys at the include line', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include:\n  - nope.yml\n  - notes.txt\n  - {file: x.yml}\n  - {local: a.yml, remote: "https://x/y.yml"}\nj: {script: x}\n',
      'a.yml': 'a: {script: a}\n',
    });
    expect(r.errors).toMatchObject([
      { message: '`{"file":"x.yml"}` does not have a valid subkey for include. Valid subkeys are: `local`, `project`, `remote`, `template`, `artifact`, `component`', line: 4, path: ['include', 2] },
      { message: 'Each include must use only one of: `local`, `project`, `remote`, `template`, `artifact`, `component`', line: 5 },
      { message: 'Local file `nope.yml` does not exist!', file: '.gitlab-ci.yml', line: 2, column: 5, path: ['include', 0] },
      { message: 'Included file `notes.txt` does not have YAML extension!', line: 3 },
    ]);
  });

  it('reports an empty included file and invalid YAML inside it, at its own lines', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: [empty.yml, broken.yml, list.yml]\n',
      'empty.yml': '\n',
      'broken.yml': 'ok: 1\nbad: [\n',
      'list.yml': '- a\n',
    });
    expect(messages(r)[0]).toBe('Local file `empty.yml` is empty!');
    expect(r.errors[1]).toMatchObject({ file: 'broken.yml' });
    expect(r.errors[1]!.message.startsWith('`broken.yml`: ')).toBe(true);
    expect(r.errors[2]).toMatchObject({ file: 'list.yml', message: '`list.yml`: Invalid configuration format' });
  });

  it('detects include cycles and names the chain', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: a.yml\nj: {script: x}\n',
      'a.yml': 'include: b.yml\n',
      'b.yml': 'include: /a.yml\nb: {script: b}\n',
    });
    expect(messages(r)).toEqual(['Included file `/a.yml` includes itself (circular include: .gitlab-ci.yml → a.yml → b.yml → a.yml)']);
    expect(r.errors[0]).toMatchObject({ file: 'b.yml', line: 1 });
    expect(r.data['b']).toEqual({ script: 'b' });
  });

  it('allows the same file twice when it is not a cycle', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: [a.yml, b.yml]\n',
      'a.yml': 'include: common.yml\n',
      'b.yml': 'include: common.yml\n',
      'common.yml': 'c: {script: c}\n',
    });
    expect(r.errors).toEqual([]);
    expect(r.includedFiles).toEqual(['a.yml', 'common.yml', 'b.yml', 'common.yml']);
  });

  it('stops after 150 includes, counting duplicates', async () => {
    const files: Files = { '.gitlab-ci.yml': `include:\n${Array.from({ length: 160 }, () => '  - same.yml\n').join('')}` };
    files['same.yml'] = 'job: {script: x}\n';
    const r = await load(files);
    expect(messages(r)).toEqual(['Maximum of 150 nested includes are allowed! (include chain: .gitlab-ci.yml → same.yml)']);
    expect(r.errors[0]).toMatchObject({ line: 152, path: ['include', 150] });
    expect(r.includedFiles).toHaveLength(150);
  });

  it('expands variables in include paths', async () => {
    const r = await load(
      { '.gitlab-ci.yml': 'include: ci/$FLAVOR.yml\n', 'ci/fast.yml': 'f: {script: f}\n' },
      { variables: [{ key: 'FLAVOR', value: 'fast' }] },
    );
    expect(r.errors).toEqual([]);
    expect(r.includedFiles).toEqual(['ci/fast.yml']);
  });
});

describe('include: rules', () => {
  const files: Files = {
    '.gitlab-ci.yml': [
      'include:',
      '  - local: main.yml',
      '    rules:',
      '      - if: $CI_COMMIT_BRANCH == "main"',
      '  - local: docker.yml',
      '    rules:',
      '      - exists: [Dockerfile]',
      '  - local: docs.yml',
      '    rules:',
      '      - changes: ["docs/**/*"]',
      '  - local: never.yml',
      '    rules:',
      '      - if: $CI_COMMIT_BRANCH',
      '        when: never',
      '      - when: always',
      'j: {script: x}',
    ].join('\n'),
    'main.yml': 'main: {script: m}\n',
    'docker.yml': 'docker: {script: d}\n',
    'docs.yml': 'docs: {script: d}\n',
    'never.yml': 'never: {script: n}\n',
  };

  it('evaluates if, exists and changes', async () => {
    const onMain = await load({ ...files, Dockerfile: 'FROM alpine' }, {
      variables: [{ key: 'CI_COMMIT_BRANCH', value: 'main' }],
      changedFiles: () => ['docs/guide/a.md'],
    });
    expect(onMain.errors).toEqual([]);
    expect(onMain.includedFiles).toEqual(['main.yml', 'docker.yml', 'docs.yml']);

    const onTopic = await load(files, { variables: [{ key: 'CI_COMMIT_BRANCH', value: 'topic' }], changedFiles: () => ['src/a.ts'] });
    expect(onTopic.includedFiles).toEqual([]);

    const noBranch = await load(files, { changedFiles: () => undefined });
    expect(noBranch.includedFiles).toEqual(['docs.yml', 'never.yml']);
  });

  it('reports an invalid rules:if', async () => {
    const r = await load({ '.gitlab-ci.yml': 'include:\n  - local: a.yml\n    rules:\n      - if: $A ==\n', 'a.yml': 'a: {script: a}\n' });
    expect(messages(r)).toEqual(['include:rules:rule if invalid expression syntax']);
    expect(r.includedFiles).toEqual([]);
  });

  it('reports unknown rule keys', async () => {
    const r = await load({ '.gitlab-ci.yml': 'include:\n  - local: a.yml\n    rules: [{branch: main}]\n' });
    expect(messages(r)).toEqual(['include:rules:rule config contains unknown keys: branch']);
  });
});

describe('include: remote, template, project, component', () => {
  let dir = '';
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drydock-include-'));
    put('templates/Docker.gitlab-ci.yml', 'docker-build: {script: docker build .}\n');
    put('projects/group/shared/v1/ci/jobs.yml', 'include: ci/more.yml\nshared: {script: s}\n');
    put('projects/group/shared/v1/ci/more.yml', 'more: {script: m}\n');
    put('projects/group/shared/HEAD/ci/jobs.yml', 'head: {script: h}\n');
    put('remote/example.com/ci/remote.yml', 'remote: {script: r}\n');
    put('projects/group/comp/1.0.0/templates/lint.yml', 'spec:\n  inputs:\n    stage: {default: test}\n---\nlint:\n  stage: $[[ inputs.stage ]]\n  script: lint\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says which server feature or directory is needed when there is no include dir', async () => {
    const r = await load({ '.gitlab-ci.yml': 'include:\n  - remote: https://example.com/ci/remote.yml\n  - template: Docker.gitlab-ci.yml\n  - project: group/shared\n    file: ci/jobs.yml\n  - component: gitlab.com/group/comp/lint@1.0.0\nj: {script: x}\n' });
    expect(messages(r)).toEqual([
      'Remote file `https://example.com/ci/remote.yml` cannot be read: include:remote needs a coordinator server or `--include-dir DIR` (expected at DIR/remote/example.com/ci/remote.yml)',
      'Template file `Docker.gitlab-ci.yml` cannot be read: include:template needs a coordinator server or `--include-dir DIR` (expected at DIR/templates/Docker.gitlab-ci.yml)',
      'Project `group/shared` file `ci/jobs.yml` cannot be read: include:project needs a coordinator server or `--include-dir DIR` (expected at DIR/projects/group/shared/HEAD/ci/jobs.yml)',
      'Component `gitlab.com/group/comp/lint@1.0.0` cannot be read: include:component needs a coordinator server or `--include-dir DIR` (expected at DIR/projects/group/comp/1.0.0/templates/lint.yml)',
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 6]);
  });

  it('reads them from the include dir, nested local includes staying in the other project', async () => {
    const r = await load(
      {
        '.gitlab-ci.yml': [
          'include:',
          '  - https://example.com/ci/remote.yml',
          '  - template: Docker.gitlab-ci.yml',
          '  - project: group/shared',
          '    ref: v1',
          '    file: [/ci/jobs.yml]',
          '  - project: group/shared',
          '    file: ci/jobs.yml',
          '  - component: $CI_SERVER_FQDN/group/comp/lint@1.0.0',
          '    inputs: {stage: verify}',
          'j: {script: x}',
        ].join('\n'),
      },
      { includeDir: dir, variables: [{ key: 'CI_SERVER_FQDN', value: 'gitlab.example.com' }] },
    );
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.data)).toEqual(['remote', 'docker-build', 'more', 'shared', 'head', 'lint', 'j']);
    expect(r.data['lint']).toEqual({ stage: 'verify', script: 'lint' });
    expect(r.includedFiles).toHaveLength(6);
  });

  it('reports a missing project, ref and file in the include dir', async () => {
    const r = await load(
      { '.gitlab-ci.yml': 'include:\n  - {project: nobody/x, file: a.yml}\n  - {project: group/shared, ref: v9, file: a.yml}\n  - {project: group/shared, ref: v1, file: none.yml}\n' },
      { includeDir: dir },
    );
    expect(messages(r)[0]).toMatch(/^Project `nobody\/x` not found or access denied!/);
    expect(messages(r)[1]).toMatch(/^Project `group\/shared` reference `v9` does not exist!/);
    expect(messages(r)[2]).toBe('Project `group/shared` file `none.yml` does not exist!');
  });

  it('does not let remote templates include local files (no project context, as in GitLab)', async () => {
    put('templates/Nested.gitlab-ci.yml', 'include: local.yml\n');
    const r = await load({ '.gitlab-ci.yml': 'include: {template: Nested.gitlab-ci.yml}\n', 'local.yml': 'l: {script: l}\n' }, { includeDir: dir });
    expect(messages(r)).toEqual(['Local file `local.yml` does not have project!']);
  });
});

describe('source positions across files', () => {
  it('points into the file and line where each key was written', async () => {
    const r = await load({
      '.gitlab-ci.yml': 'include: ci/base.yml\nbuild:\n  extends: .base\n  script:\n    - make\n',
      'ci/base.yml': '# base\n.base:\n  image: alpine\n  variables:\n    A: "1"\n',
    });
    expect(r.errors).toEqual([]);
    const at = (...path: Array<string | number>) => r.sourceMap.positionOf(path);
    expect(at('build', 'script')).toEqual({ file: '.gitlab-ci.yml', line: 4, column: 3 });
    expect(at('build', 'script', 0)).toEqual({ file: '.gitlab-ci.yml', line: 5, column: 7 });
    expect(at('build', 'image')).toEqual({ file: 'ci/base.yml', line: 3, column: 3 });
    expect(at('build', 'variables', 'A')).toEqual({ file: 'ci/base.yml', line: 5, column: 5 });
    expect(at('build', 'variables', 'A', 'deeper')).toEqual({ file: 'ci/base.yml', line: 5, column: 5 });
    expect(at('.base')).toEqual({ file: 'ci/base.yml', line: 2, column: 1 });
    expect(at('missing')).toMatchObject({ file: '.gitlab-ci.yml' });
  });

  it('reads the root file from disk by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drydock-root-'));
    try {
      mkdirSync(join(dir, 'ci'));
      writeFileSync(join(dir, '.gitlab-ci.yml'), "include: 'ci/*.yml'\nj: {script: x}\n");
      writeFileSync(join(dir, 'ci', 'a.yml'), 'a: {script: a}\n');
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'node_modules', 'x.yml'), 'x: 1\n');
      const r = await loadConfig({ projectDir: dir });
      expect(r.errors).toEqual([]);
      expect(Object.keys(r.data)).toEqual(['a', 'j']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('include: nesting limits', () => {
  it('reports the chain when nested includes pass 150', async () => {
    const files: Files = { '.gitlab-ci.yml': 'include: n0.yml\n' };
    for (let i = 0; i < 160; i += 1) files[`n${i}.yml`] = `include: n${i + 1}.yml\nj${i}: {script: x}\n`;
    const r = await load(files);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^Maximum of 150 nested includes are allowed! \(include chain: \.gitlab-ci\.yml → n0\.yml → n1\.yml → .* → n150\.yml\)$/);
    expect(r.errors[0]).toMatchObject({ file: 'n149.yml', line: 1 });
    expect(Object.keys(r.data)).toHaveLength(150);
  });
});
