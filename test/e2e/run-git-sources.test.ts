// drydock run: get_sources as the runner does it: GIT_STRATEGY, GIT_DEPTH, GIT_CHECKOUT,
// GIT_CLEAN_FLAGS and submodules (GIT_SUBMODULE_STRATEGY/PATHS/DEPTH), on real git repositories.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory, createTempRepo, type TempRepo } from './helpers/temp-repo.js';
import { runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();
/** Lines `[job] KEY=value` printed by the jobs → { 'job KEY': value }. */
function facts(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\[(\S+)\s*\] (\w+)=(.*)$/gm)) out[`${m[1]} ${m[2]}`] = m[3] ?? '';
  return out;
}

describe('drydock run: GIT_STRATEGY, GIT_DEPTH, GIT_CHECKOUT, GIT_CLEAN_FLAGS', () => {
  it('clones full history by default and GIT_DEPTH commits when set', async () => {
    const r = repo(`
full: { script: ['echo COUNT=$(git rev-list --count HEAD)', 'echo SHALLOW=$(git rev-parse --is-shallow-repository)'] }
shallow:
  variables: { GIT_DEPTH: '2' }
  script: ['echo COUNT=$(git rev-list --count HEAD)', 'echo SHALLOW=$(git rev-parse --is-shallow-repository)']
`);
    for (let i = 0; i < 3; i++) { r.write('n.txt', String(i)); r.commit(`c${i}`); }
    const res = await runCli(['run', '-j', '1'], { cwd: r.dir });
    expect(res.code).toBe(0);
    const f = facts(res.stdout);
    expect([f['full COUNT'], f['full SHALLOW'], f['shallow COUNT'], f['shallow SHALLOW']]).toEqual(['4', 'false', '2', 'true']);
  });

  it('honours none, empty, clone and fetch, GIT_CHECKOUT=false and GIT_CLEAN_FLAGS', async () => {
    const r = repo(`
stages: [s1, s2, s3, s4, s5, s6]
dirty: { stage: s1, script: ['echo junk > junk.txt', 'echo log > debug.log', 'echo "COUNT=$(ls | wc -l)"'] }
keep-ignored:
  stage: s2
  variables: { GIT_CLEAN_FLAGS: -ffd }
  script: ['echo "JUNK=$(test -e junk.txt && echo yes || echo no) LOG=$(test -e debug.log && echo yes || echo no)"']
none:
  stage: s3
  variables: { GIT_STRATEGY: none }
  script: ['echo "LOG=$(test -e debug.log && echo yes || echo no)"', 'echo new > made-by-none.txt']
fetch:
  stage: s4
  script: ['echo "MADE=$(test -e made-by-none.txt && echo yes || echo no) README=$(cat README)"']
empty:
  stage: s5
  variables: { GIT_STRATEGY: empty }
  script: ['echo "COUNT=$(ls -A | wc -l)"']
nocheckout:
  stage: s6
  variables: { GIT_STRATEGY: clone, GIT_CHECKOUT: 'false' }
  script: ['echo "FILES=$(ls -A | tr "\\\\n" " ")"']
`, { '.gitignore': '*.log\n', README: 'hello\n' });
    const res = await runCli(['run', '-j', '1'], { cwd: r.dir });
    expect(res.code).toBe(0);
    const f = facts(res.stdout);
    expect(f['keep-ignored JUNK']).toBe('no LOG=yes');
    expect(f['none LOG']).toBe('yes');
    expect(f['fetch MADE']).toBe('no README=hello');
    expect(f['empty COUNT']).toBe('0');
    expect(f['nocheckout FILES']).toBe('.git ');
  });
});

describe('drydock run: submodules', () => {
  /** main repo with libs/sub (which has its own submodule nested/) and libs/other; remote URLs that cannot be reached. */
  function withSubmodules(ci: string): TempRepo {
    const nested = createTempRepo({ 'nested.txt': 'nested\n' }, { name: 'nested' });
    const sub = createTempRepo({ 'sub.txt': 'one\n' }, { name: 'sub' });
    const other = createTempRepo({ 'other.txt': 'other\n' }, { name: 'other' });
    const git = (dir: string, ...args: string[]): string => execFileSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd: dir, encoding: 'utf8' });
    git(sub.dir, 'submodule', 'add', '-q', nested.dir, 'nested');
    sub.write('sub.txt', 'two\n');
    sub.commit('second');
    const r = repo(ci);
    git(r.dir, 'submodule', 'add', '-q', sub.dir, 'libs/sub');
    git(r.dir, 'submodule', 'add', '-q', other.dir, 'libs/other');
    git(r.dir, 'submodule', 'update', '--init', '--recursive', '-q');
    // As on GitLab: URLs of a server this machine cannot reach; the user's checkouts serve instead.
    r.git('config', '-f', '.gitmodules', 'submodule.libs/sub.url', 'https://gitlab.invalid/group/sub.git');
    r.git('config', '-f', '.gitmodules', 'submodule.libs/other.url', '../other.git');
    r.commit('submodules');
    return r;
  }

  const show = `['echo "SUB=$(cat libs/sub/sub.txt 2>/dev/null || echo -) NESTED=$(cat libs/sub/nested/nested.txt 2>/dev/null || echo -) OTHER=$(cat libs/other/other.txt 2>/dev/null || echo -) SUBCOMMITS=$(test -e libs/sub/.git && git -C libs/sub rev-list --count HEAD || echo -)"']`;

  it('none, normal, recursive, GIT_SUBMODULE_PATHS and GIT_SUBMODULE_DEPTH', async () => {
    const r = withSubmodules(`
variables: { GIT_STRATEGY: clone }
plain: { script: ${show} }
normal: { variables: { GIT_STRATEGY: clone, GIT_SUBMODULE_STRATEGY: normal }, script: ${show} }
recursive: { variables: { GIT_STRATEGY: clone, GIT_SUBMODULE_STRATEGY: recursive }, script: ${show} }
paths:
  variables: { GIT_STRATEGY: clone, GIT_SUBMODULE_STRATEGY: normal, GIT_SUBMODULE_PATHS: ':(exclude)libs/other', GIT_SUBMODULE_DEPTH: '1' }
  script: ${show}
`);
    const res = await runCli(['run', '-j', '1'], { cwd: r.dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const f = facts(res.stdout);
    expect(f['plain SUB']).toBe('- NESTED=- OTHER=- SUBCOMMITS=-');
    expect(f['normal SUB']).toBe('two NESTED=- OTHER=other SUBCOMMITS=2');
    expect(f['recursive SUB']).toBe('two NESTED=nested OTHER=other SUBCOMMITS=2');
    expect(f['paths SUB']).toBe('two NESTED=- OTHER=- SUBCOMMITS=1');
  });
});
