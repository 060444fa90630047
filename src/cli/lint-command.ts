// `drydock lint [FILE]`: validates a .gitlab-ci.yml and shows the pipeline it would create for a ref
// (stages, jobs, when/needs/allow_failure), or every error as file:line:col. --json prints GitLab's
// CI Lint API response. Exit codes: 0 valid, 1 invalid, 2 bad usage.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { contextFromGitRepo } from '../local/repo-context.js';
import {
  compilePipelineFile, formatPipelineError, toCiLintResponse, type JobSpec, type PipelineResult,
} from '../pipeline/index.js';
import type { CommandRegistrar } from './command-registrar.js';

const execFileAsync = promisify(execFile);

interface LintOptions {
  ref?: string;
  var: string[];
  includeDir?: string;
  json?: boolean;
}

class UsageError extends Error {}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const register: CommandRegistrar = (program, setExitCode) => {
  program
    .command('lint')
    .description('validate a .gitlab-ci.yml and show the pipeline it creates (GitLab\'s messages, with file:line:column)')
    .argument('[file]', 'CI configuration file', '.gitlab-ci.yml')
    .option('--ref <name>', 'evaluate rules as for this branch or tag (default: the current branch)')
    .option('--var <KEY=VALUE>', 'pipeline variable for rules and expansion (repeatable)', collect, [])
    .option('--include-dir <dir>', 'offline directory for include:remote/template/project/component files')
    .option('--json', 'print GitLab\'s CI Lint API response as JSON')
    .action(async (file: string, opts: LintOptions) => {
      try {
        setExitCode(await lint(file, opts));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`drydock lint: ${err.message}\n`);
        setExitCode(2);
      }
    });
};

export default register;

export function parseVars(flags: readonly string[]): Array<{ key: string; value: string }> {
  return flags.map((flag) => {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var ${flag}: expected KEY=VALUE`);
    const key = flag.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--var ${flag}: ${key} is not a valid variable name`);
    return { key, value: flag.slice(eq + 1) };
  });
}

async function projectRoot(dir: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim() || dir;
  } catch {
    return dir;
  }
}

async function lint(file: string, opts: LintOptions): Promise<number> {
  const variables = parseVars(opts.var);
  const absFile = path.resolve(file);
  const projectDir = await projectRoot(path.dirname(absFile));
  const relFile = path.relative(projectDir, absFile).split(path.sep).join('/');
  const ctx = await contextFromGitRepo(projectDir, { ...(opts.ref !== undefined ? { ref: opts.ref } : {}), variables });
  const result = await compilePipelineFile({
    projectDir,
    file: relFile,
    ...(opts.includeDir !== undefined ? { includeDir: path.resolve(opts.includeDir) } : {}),
  }, ctx);
  // Errors name the file as the user typed it.
  for (const e of result.errors) if (e.file === relFile) e.file = file;

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(toCiLintResponse(result), null, 2)}\n`);
    return result.valid ? 0 : 1;
  }
  for (const w of ctx.warnings) process.stderr.write(`note: ${w}\n`);
  process.stdout.write(renderHuman(result, file, ctx.ref));
  return result.valid ? 0 : 1;
}

export function renderHuman(result: PipelineResult, file: string, ref: string): string {
  const lines: string[] = [];
  if (!result.valid) {
    for (const e of result.errors) lines.push(formatPipelineError(e));
    lines.push(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
  } else if (!result.pipeline) {
    lines.push(`${file} is valid, but no pipeline is created for ref ${ref}`);
  } else {
    const p = result.pipeline;
    lines.push(`${file} is valid: ${p.name ? `"${p.name}", ` : ''}${p.stages.length} stage${p.stages.length === 1 ? '' : 's'}, `
      + `${p.jobs.length} job${p.jobs.length === 1 ? '' : 's'} for ref ${ref}`);
    const width = Math.min(40, Math.max(...p.jobs.map((j) => j.name.length)));
    for (const stage of p.stages) {
      lines.push(`stage ${stage}`);
      for (const job of p.jobs) if (job.stage === stage) lines.push(`  ${job.name.padEnd(width)}  ${describe(job)}`);
    }
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function describe(job: JobSpec): string {
  const parts: string[] = [job.when === 'delayed' && job.startIn ? `delayed ${job.startIn}` : job.when];
  if (job.needs !== null) parts.push(job.needs.length ? `needs: ${job.needs.map((n) => n.job).join(', ')}` : 'needs: []');
  if (job.allowFailure === true) parts.push('allow_failure');
  else if (job.allowFailure !== false) parts.push(`allow_failure: exit codes ${job.allowFailure.exitCodes.join(', ')}`);
  return parts.join('  ');
}
