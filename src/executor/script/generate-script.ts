// Builds the shell script for one user-script stage (step_script, after_script), following
// gitlab-runner's shells/bash.go + shells/abstract.go layout:
//
//   trap 'exit 1' TERM
//   [set -o xtrace]                       when CI_DEBUG_TRACE=true
//   command set -o pipefail 2>/dev/null || :; set -o errexit
//   set +o noclobber
//   [section_start … + EXIT trap printing section_end]   when traceSections
//   ( trap 'exit 1' TERM; eval '<body>' ) < /dev/null
//   exit 0
//
// The body exports the variables, writes file variables, re-exports $GITLAB_ENV, cd's into the
// project and runs each command after echoing it as a bold green `$ cmd` line.
//
// The script is plain POSIX sh (no $'…', no arrays), so the same text works whether the shell
// detection found bash or only busybox sh; `shell` only documents the caller's intent. The body is
// one single-quoted eval word so the shell parses it completely before running it: a script fed
// on stdin can't be eaten by a command that reads stdin (which gets /dev/null anyway), and a
// syntax error in a user command fails at run time with the shell's message, as in GitLab.
//
// Each extra process is a few ms per stage on a busy machine, so the frame forks as little as
// possible: pipefail is switched on where the shell has it by `command set` (no `$(set -o)` probe
// in a subshell; `command` keeps a shell without pipefail, like dash, from exiting on the error),
// and `mkdir -p` runs only when the directory is missing.
import { isShellIdentifier, shellQuote } from './shell-quote.js';
import { stageDescription } from './stage-description.js';
import { isGoTrue, lastValue } from '../../shared/variable-lookup.js';

// script/ may not import executor.ts (lint rule), so it names only the fields it reads; the
// executor's BuildStage, ResolvedVariable and JobPaths values fit these shapes as they are.
/** A BuildStage name (step_script, after_script, ...). */
type BuildStage = string;
/** The fields of a ResolvedVariable that script generation reads. */
export interface ScriptVariable { readonly key: string; readonly value: string; readonly file: boolean }
/** The fields of JobPaths that script generation reads. */
export interface ScriptPaths { readonly projectDir: string; readonly tmpDir: string }

export interface GenerateScriptOptions {
  shell: 'bash' | 'sh';
  stage: BuildStage;
  commands: readonly string[];
  variables: readonly ScriptVariable[];
  paths: ScriptPaths;
  /** Emit section_start/section_end markers around the stage from inside the script (default true). */
  traceSections?: boolean;
  /**
   * Where the commands run (default: the project dir). A pre_get_sources_script runs before the
   * checkout exists, so it starts in the builds dir.
   */
  workingDir?: string;
}

/** Name of the file that carries variables between stages (`$GITLAB_ENV`), inside paths.tmpDir. */
export const GITLAB_ENV_FILE = 'gitlab_runner_env';

export function generateScript(opts: GenerateScriptOptions): string {
  const header: string[] = [];
  if (isGoTrue(lastValue(opts.variables, 'CI_DEBUG_TRACE'))) header.push('set -o xtrace');
  return wrap(scriptBody(opts), header, (opts.traceSections ?? true) ? sectionLines(opts.stage) : []);
}

/** The fixed frame around a stage body (gitlab-runner BashWriter.Finish). */
function wrap(body: string, header: readonly string[], sections: readonly string[] = []): string {
  return [
    "trap 'exit 1' TERM",
    '',
    ...header,
    'command set -o pipefail 2>/dev/null || :; set -o errexit',
    'set +o noclobber',
    ...sections,
    `( trap 'exit 1' TERM; eval ${shellQuote(body)} ) < /dev/null`,
    'exit 0',
    '',
  ].join('\n');
}

/**
 * The prepare_script stage: says where the job runs and removes a stale $GITLAB_ENV file left by
 * an earlier job in the same directory (gitlab-runner's prepare_script body).
 */
export function generatePrepareScript(opts: { shell: 'bash' | 'sh'; paths: ScriptPaths }): string {
  const envFile = `${trimSlash(opts.paths.tmpDir)}/${GITLAB_ENV_FILE}`;
  const body = [
    'echo "Running on $(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)..."',
    `rm -f ${shellQuote(envFile)}`,
    '',
  ].join('\n');
  return wrap(body, []);
}

/**
 * The command a container runs to start the job shell: bash when the image has it, else sh,
 * reading the stage script from stdin (gitlab-runner's BashDetectShellScript).
 */
export function shellDetectionCommand(): string[] {
  const candidates = ['/usr/local/bin/bash', '/usr/bin/bash', '/bin/bash', '/usr/local/bin/sh', '/usr/bin/sh', '/bin/sh', '/busybox/sh'];
  const branches = candidates.map((path, i) => `${i === 0 ? 'if' : 'elif'} [ -x ${path} ]; then\n  exec ${path}`);
  const script = `${branches.join('\n')}\nelse\n  echo shell not found\n  exit 1\nfi\n`;
  return ['sh', '-c', script];
}

/** Text a user sees for a command: GitLab shows only the first line of a multi-line command. */
export function commandEcho(command: string): string {
  const trimmed = command.trim();
  const nl = trimmed.indexOf('\n');
  return nl === -1 ? `$ ${trimmed}` : `$ ${trimmed.slice(0, nl)} # collapsed multi-line command`;
}

function scriptBody(opts: GenerateScriptOptions): string {
  const { paths } = opts;
  const lines: string[] = [];
  for (const v of lastValueWins(opts.variables)) {
    // A key like `my-var` can't be a shell variable; GitLab would fail the job on the export.
    // Executors that pass variables through the process environment still deliver it.
    if (!isShellIdentifier(v.key)) continue;
    if (v.file) {
      const path = `${trimSlash(paths.tmpDir)}/${v.key}`;
      lines.push(ensureDir(paths.tmpDir));
      lines.push(`(umask 077 && printf '%s' ${shellQuote(v.value)} > ${shellQuote(path)})`);
      lines.push(`export ${v.key}=${shellQuote(path)}`);
    } else {
      lines.push(`export ${v.key}=${shellQuote(v.value)}`);
    }
  }
  const envFile = `${trimSlash(paths.tmpDir)}/${GITLAB_ENV_FILE}`;
  lines.push(ensureDir(paths.tmpDir));
  lines.push(`export GITLAB_ENV=${shellQuote(envFile)}`);
  lines.push(': >> "$GITLAB_ENV"');
  lines.push('while IFS= read -r _dd_line || [ -n "$_dd_line" ]; do if [ -n "$_dd_line" ]; then export "$_dd_line"; fi; done < "$GITLAB_ENV"; unset _dd_line');
  lines.push(`cd ${shellQuote(opts.workingDir ?? paths.projectDir)}`);
  if (opts.stage === 'after_script') lines.push(notice('Running after script...'));
  for (const command of opts.commands) {
    const trimmed = command.trim();
    lines.push(notice(commandEcho(trimmed)));
    lines.push(trimmed === '' ? 'echo' : trimmed);
  }
  return `${lines.join('\n')}\n`;
}

/** `mkdir -p dir`, without starting mkdir when the directory is already there. */
function ensureDir(dir: string): string {
  return `[ -d ${shellQuote(dir)} ] || mkdir -p ${shellQuote(dir)}`;
}

/** A bold green line, printed without interpreting the text. */
function notice(text: string): string {
  return `printf '\\033[32;1m%s\\033[0;m\\n' ${shellQuote(text)}`;
}

function sectionLines(stage: BuildStage): string[] {
  const start = `printf 'section_start:%s:${stage}\\r\\033[0K\\033[36;1m%s\\033[0;m\\n' "$(date +%s)" ${shellQuote(stageDescription(stage))}`;
  // The EXIT trap prints section_end even when errexit stops the script, keeping its exit code.
  const end = `_dd_rc=$?; printf 'section_end:%s:${stage}\\r\\033[0K' "$(date +%s)"; exit $_dd_rc`;
  return [start, `trap ${shellQuote(end)} EXIT`];
}

/** One entry per key with the last value (later entries win), in first-seen order. */
function lastValueWins(variables: readonly ScriptVariable[]): ScriptVariable[] {
  const byKey = new Map<string, ScriptVariable>();
  for (const v of variables) byKey.set(v.key, v);
  return [...byKey.values()];
}

function trimSlash(dir: string): string {
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}
