// Generated scripts are executed for real, under bash and under busybox sh (what alpine/busybox
// images have), because quoting bugs only show when a shell reads the text.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildStage, JobPaths, ResolvedVariable } from '../executor.js';
import { commandEcho, generatePrepareScript, generateScript, shellDetectionCommand } from './generate-script.js';

const root = mkdtempSync(join(tmpdir(), 'drydock-genscript-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHELLS: Array<{ label: string; argv: string[]; shell: 'bash' | 'sh' }> = [
  { label: 'bash', argv: ['bash'], shell: 'bash' },
  { label: 'busybox sh', argv: ['busybox', 'sh'], shell: 'sh' },
];

let counter = 0;
function workdir(): JobPaths {
  const dir = join(root, `job${counter++}`, 'group', 'project');
  spawnSync('mkdir', ['-p', dir]);
  return { buildsDir: join(root, 'builds'), projectDir: dir, tmpDir: `${dir}.tmp` };
}

function v(key: string, value: string, extra: Partial<ResolvedVariable> = {}): ResolvedVariable {
  return { key, value, masked: false, file: false, raw: false, ...extra };
}

interface Run { status: number | null; stdout: string; stderr: string }

function execute(argv: string[], script: string): Run {
  const file = join(root, `script${counter++}.sh`);
  writeFileSync(file, script);
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(sh: (typeof SHELLS)[number], commands: string[], variables: ResolvedVariable[] = [], opts: { paths?: JobPaths; stage?: BuildStage; traceSections?: boolean } = {}): Run {
  const paths = opts.paths ?? workdir();
  const script = generateScript({ shell: sh.shell, stage: opts.stage ?? 'step_script', commands, variables, paths, traceSections: opts.traceSections ?? false });
  return execute(sh.argv, script);
}

/** Output with the green `$ cmd` echo lines removed. */
function plainOutput(stdout: string): string {
  return stdout.split('\n').filter((l) => !l.startsWith('\x1b[32;1m')).join('\n');
}

const TRICKY = [
  `it's "quoted"`, 'dollar $HOME ${HOME} $(echo no) `echo no`', 'back\\slash \\n \\\\', 'new\nline\n\n',
  'unicode: 日本語 ünïcödé 🚀', "'''", '"', '!', '*', '-n', '--', ' leading and trailing ', '\t tab', '%s %d %%', '\x1b[31mred',
];

describe.each(SHELLS)('generated script under $label', (sh) => {
  it('exports values byte for byte, whatever they contain', () => {
    const vars = TRICKY.map((value, i) => v(`VAR_${i}`, value));
    const commands = TRICKY.map((_, i) => `printf '[%s]\\n' "$VAR_${i}"`);
    const r = run(sh, commands, vars);
    expect(r.status).toBe(0);
    expect(plainOutput(r.stdout)).toBe(TRICKY.map((t) => `[${t}]\n`).join(''));
  });

  it('round-trips arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0') && Buffer.from(s).toString() === s), (value) => {
        const paths = workdir();
        const r = run(sh, [`printf '%s' "$X" > value.out`], [v('X', value)], { paths });
        expect(r.status).toBe(0);
        expect(readFileSync(join(paths.projectDir, 'value.out'), 'utf8')).toBe(value);
      }),
      { numRuns: 25 },
    );
    const paths = workdir();
    for (const value of ['a\'b"c$d`e\\f\ng', '🚀\u00e9\u2028', '$(touch pwned)']) {
      const r = run(sh, [`printf '%s' "$X" > value.out`], [v('X', value)], { paths });
      expect(r.status).toBe(0);
      expect(readFileSync(join(paths.projectDir, 'value.out'), 'utf8')).toBe(value);
    }
  });

  it('runs commands verbatim and echoes each as a green "$ cmd" line', () => {
    const r = run(sh, ['echo "a\'b $((1+2))"', 'X=1; echo "x=$X"', "if true; then\n  echo multi\nfi", '']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\x1b[32;1m$ echo "a\'b $((1+2))"\x1b[0;m\n');
    expect(r.stdout).toContain('\x1b[32;1m$ if true; then # collapsed multi-line command\x1b[0;m\n');
    expect(plainOutput(r.stdout)).toBe("a'b 3\nx=1\nmulti\n\n");
  });

  it('starts in the project directory', () => {
    const paths = workdir();
    const r = run(sh, ['pwd'], [], { paths });
    expect(plainOutput(r.stdout).trim()).toBe(paths.projectDir);
  });

  it('stops at the first failing command and returns its exit code', () => {
    const r = run(sh, ['echo one', 'sh -c "exit 7"', 'echo never']);
    expect(r.status).toBe(7);
    expect(plainOutput(r.stdout)).toBe('one\n');
    expect(run(sh, ['exit 3']).status).toBe(3);
    expect(run(sh, ['true', 'false']).status).toBe(1);
  });

  it('fails a pipeline whose first command fails (pipefail)', () => {
    const r = run(sh, ['false | cat', 'echo never']);
    expect(r.status).toBe(1);
    expect(plainOutput(r.stdout)).toBe('');
  });

  it('keeps shell semantics for conditions (no errexit inside if / ||)', () => {
    const r = run(sh, ['if false; then echo no; fi', 'false || echo recovered']);
    expect(r.status).toBe(0);
    expect(plainOutput(r.stdout)).toBe('recovered\n');
  });

  it('reports a syntax error in a command as a failure', () => {
    const r = run(sh, ['echo "unterminated', 'echo never']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('never\n');
  });

  it('gives commands an empty stdin', () => {
    const r = run(sh, ['if read -r line; then echo got; else echo eof; fi']);
    expect(plainOutput(r.stdout)).toBe('eof\n');
  });

  it('writes file variables to 0600 files under tmpDir and exports their path', () => {
    const paths = workdir();
    const content = "-----BEGIN-----\nline 'two' $X\n-----END-----\n";
    const r = run(sh, ['printf "%s\\n" "$CERT_FILE"', 'cat "$CERT_FILE" > copy.out'], [v('CERT_FILE', content, { file: true })], { paths });
    expect(r.status).toBe(0);
    const path = join(paths.tmpDir, 'CERT_FILE');
    expect(plainOutput(r.stdout)).toBe(`${path}\n`);
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(readFileSync(join(paths.projectDir, 'copy.out'), 'utf8')).toBe(content);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('later variables win and invalid names are skipped without failing', () => {
    const r = run(sh, ['echo "$A"'], [v('A', 'first'), v('my-var', 'x'), v('A', 'second')]);
    expect(r.status).toBe(0);
    expect(plainOutput(r.stdout)).toBe('second\n');
  });

  it('carries variables between stages through $GITLAB_ENV', () => {
    const paths = workdir();
    expect(run(sh, ['echo "FROM_SCRIPT=hello world" >> "$GITLAB_ENV"'], [], { paths }).status).toBe(0);
    const r = run(sh, ['echo "$FROM_SCRIPT"'], [], { paths, stage: 'after_script' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\x1b[32;1mRunning after script...\x1b[0;m\n');
    expect(plainOutput(r.stdout)).toBe('hello world\n');
  });

  it('wraps the stage in section markers, closing them even on failure', () => {
    const r = run(sh, ['echo hi', 'exit 4'], [], { traceSections: true });
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/^section_start:\d+:step_script\r\x1b\[0K\x1b\[36;1mExecuting "step_script" stage of the job script\x1b\[0;m\n/);
    expect(r.stdout).toMatch(/section_end:\d+:step_script\r\x1b\[0K$/);
    expect(run(sh, ['echo hi']).stdout).not.toContain('section_');
  });

  it('traces commands when CI_DEBUG_TRACE is true (Go\'s boolean spellings; the last value wins)', () => {
    const r = run(sh, ['echo traced'], [v('CI_DEBUG_TRACE', 'true')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('+ ');
    expect(run(sh, ['echo traced'], [v('CI_DEBUG_TRACE', '1')]).stderr).toContain('+ ');
    expect(run(sh, ['echo traced'], [v('CI_DEBUG_TRACE', 'true'), v('CI_DEBUG_TRACE', 'false')]).stderr).not.toContain('+ ');
    expect(run(sh, ['echo traced'], [v('CI_DEBUG_TRACE', 'yes')]).stderr).not.toContain('+ ');
  });

  it('prepare script prints the host and removes a stale $GITLAB_ENV', () => {
    const paths = workdir();
    spawnSync('mkdir', ['-p', paths.tmpDir]);
    writeFileSync(join(paths.tmpDir, 'gitlab_runner_env'), 'STALE=1\n');
    const r = execute(sh.argv, generatePrepareScript({ shell: sh.shell, paths }));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Running on .+\.\.\.\n$/);
    expect(() => statSync(join(paths.tmpDir, 'gitlab_runner_env'))).toThrow();
  });
});

describe('shellDetectionCommand', () => {
  it('runs the script given on stdin with bash when present', () => {
    const [cmd, ...args] = shellDetectionCommand() as [string, ...string[]];
    const script = generateScript({ shell: 'bash', stage: 'step_script', commands: ['echo "bash=${BASH_VERSION:+yes}"', 'read -r x || echo stdin-is-empty'], variables: [], paths: workdir(), traceSections: false });
    const r = spawnSync(cmd, args, { input: script, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(plainOutput(r.stdout)).toBe('bash=yes\nstdin-is-empty\n');
  });

  it('propagates the exit code from stdin-fed scripts', () => {
    const [cmd, ...args] = shellDetectionCommand() as [string, ...string[]];
    const script = generateScript({ shell: 'sh', stage: 'step_script', commands: ['exit 42'], variables: [], paths: workdir(), traceSections: false });
    expect(spawnSync(cmd, args, { input: script }).status).toBe(42);
  });

  it('falls back to sh in an image without bash (busybox)', () => {
    const [, , detect] = shellDetectionCommand() as [string, string, string];
    // Rewrite the candidate paths into a sandbox where only /bin/sh (busybox) exists.
    const sandbox = join(root, 'sandbox');
    spawnSync('mkdir', ['-p', join(sandbox, 'bin')]);
    spawnSync('ln', ['-sf', '/bin/busybox', join(sandbox, 'bin', 'sh')]);
    const rewritten = detect.replaceAll(/ (\/(?:usr\/local\/bin|usr\/bin|bin|busybox)\/(?:bash|sh))/g, ` ${sandbox}$1`);
    const r = spawnSync('busybox', ['sh', '-c', rewritten], { input: 'echo "bash=${BASH_VERSION:-none}"; exit 5\n', encoding: 'utf8' });
    expect(r.stdout).toBe('bash=none\n');
    expect(r.status).toBe(5);
  });
});

describe('commandEcho', () => {
  it('shows the first line of multi-line commands', () => {
    expect(commandEcho('  echo hi  ')).toBe('$ echo hi');
    expect(commandEcho('docker build \\\n  -t x .')).toBe('$ docker build \\ # collapsed multi-line command');
    expect(commandEcho('')).toBe('$ ');
  });
});

describe('the script frame', () => {
  it('runs under a shell without pipefail (dash), which must not exit on `set -o pipefail`', () => {
    const r = run({ label: 'dash', argv: ['dash'], shell: 'sh' }, ['false | true', 'echo "after pipe"', 'false', 'echo never']);
    expect(plainOutput(r.stdout)).toBe('after pipe\n');
    expect(r.status).toBe(1);
  });

  it('creates the tmp dir only when it is missing, and still works when it exists', () => {
    const paths = workdir();
    const file = [v('CFG', 'x', { file: true })];
    expect(run(SHELLS[0]!, ['cat "$CFG"'], file, { paths }).stdout).toContain('x');
    expect(statSync(paths.tmpDir).isDirectory()).toBe(true);
    expect(run(SHELLS[0]!, ['cat "$CFG"'], file, { paths }).status).toBe(0);
    const text = generateScript({ shell: 'bash', stage: 'step_script', commands: [], variables: [], paths, traceSections: false });
    expect(text).not.toContain('$(set -o)');
  });
});
