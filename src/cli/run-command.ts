// `drydock run [JOB...]`: runs the project's .gitlab-ci.yml on this machine, no server.
// Composition root for local runs: parses options, compiles the pipeline, builds the executor and
// reporters, wires Ctrl-C, and maps the outcome to an exit code (0 passed, 1 failed, 2 bad input,
// 130 interrupted).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Executor } from '../executor/executor.js';
import type { CompileContext, PipelineSource } from '../pipeline/compiler/context.js';
import type { UserVariable } from '../local/user-variables.js';
import type { CommandRegistrar } from './command-registrar.js';
import { addDockerOptions, createDockerExecutorFromOptions, runnerSettingsFromOptions } from './docker-options.js';
import { lastValue } from '../shared/variable-lookup.js';

interface RunOptions {
  file: string;
  projectDir?: string;
  var?: string[];
  variablesFile?: string[];
  manual?: string[];
  concurrency?: number;
  needs: boolean;
  includeUncommitted: boolean;
  shell: 'bash' | 'sh';
  executor: 'shell' | 'docker';
  ref?: string;
  source: PipelineSource;
  registry?: string;
  stateDir?: string;
  buildsDir?: string;
  timeout: number;
  outputLimit: number;
  color?: boolean;
  verbose?: boolean;
  list: boolean;
  delay: boolean;
  protected?: boolean;
}

const PIPELINE_SOURCES: readonly PipelineSource[] = [
  'push', 'web', 'schedule', 'api', 'trigger', 'pipeline', 'parent_pipeline', 'merge_request_event',
  'external_pull_request_event', 'chat', 'webide', 'external',
];

/** A problem with what the user asked for: printed as is, exit code 2. */
class UsageError extends Error {}

/** Errors from the modules below that describe bad input rather than a bug. */
const USER_ERRORS = new Set(['UserVariableError', 'RepoRootError', 'DockerOptionsError']);

const register: CommandRegistrar = (program, setExitCode) => {
  const cmd = program
    .command('run')
    .description('run the pipeline of .gitlab-ci.yml on this machine, as GitLab CI would, with no server')
    .argument('[jobs...]', 'run only these jobs, and the jobs they need')
    .option('-f, --file <path>', 'CI configuration file, relative to the project', '.gitlab-ci.yml')
    .option('-C, --project-dir <dir>', 'project directory (default: the git work tree of the current directory)')
    .option('--var <KEY=VALUE>', 'pipeline variable (repeatable); wins over every other source', collect)
    .option('--variables-file <file>', 'project CI/CD variables: YAML (KEY: value or KEY: {value, masked, file}) or dotenv (repeatable)', collect)
    .option('--manual <job>', 'play this manual job (repeatable); named jobs are played anyway', collect)
    .option('-j, --concurrency <n>', 'jobs running at once (default: number of CPUs)', positiveInt)
    .option('--no-needs', 'with job names: run only those jobs, not what they need (artifacts come from earlier runs)')
    .option('--include-uncommitted', 'lay uncommitted changes (modified, added, deleted and untracked files) over each job\'s clean checkout of HEAD')
    .option('--shell <shell>', 'shell for job scripts: bash or sh', choice(['bash', 'sh']), 'bash')
    .option('--executor <name>', 'shell (jobs run on this machine) or docker (jobs run in their image)', choice(['shell', 'docker']), 'shell')
    .option('--ref <name>', 'run as if for this branch or tag (default: the current branch)')
    .option('--source <source>', 'CI_PIPELINE_SOURCE: push, web, schedule, api, trigger, merge_request_event...', choice(PIPELINE_SOURCES), 'push')
    .option('--registry <host[:port]>', 'container registry: sets CI_REGISTRY and CI_REGISTRY_IMAGE (give CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, masked, in --variables-file)')
    .option('--state-dir <dir>', 'where pipelines, logs, artifacts and caches are kept (default: <project>/.drydock)')
    .option('--builds-dir <dir>', 'where job checkouts live (default: ~/.cache/drydock/builds/<project>)')
    .option('--timeout <seconds>', 'default job timeout when a job has no timeout:', positiveInt, 3600)
    .option('--output-limit <bytes>', 'console output shown per job; the log file keeps all of it', positiveInt, 4 * 1024 * 1024)
    .option('--no-color', 'plain output even on a terminal')
    .option('-v, --verbose', 'also show the runner\'s own lines (sources, cache, artifacts) on the console; job logs always have them')
    .option('--protected', 'treat the ref as protected (CI_COMMIT_REF_PROTECTED=true, `-protected` cache keys); default: only the default branch is')
    .option('--no-protected', 'treat the ref as unprotected, even the default branch')
    .option('--no-delay', 'run `when: delayed` jobs at once instead of waiting their start_in')
    .option('--list', 'list the jobs of the pipeline and exit');
  addDockerOptions(cmd);
  cmd.action(async (jobs: string[], opts: RunOptions) => {
    try {
      setExitCode(await runCommand(jobs, opts, cmd.opts()));
    } catch (err) {
      if (err instanceof UsageError || (err instanceof Error && USER_ERRORS.has(err.name))) {
        process.stderr.write(`drydock run: ${err.message}\n`);
        setExitCode(2);
        return;
      }
      throw err;
    }
  });
};

export default register;

async function runCommand(names: string[], opts: RunOptions, rawOpts: Record<string, unknown>): Promise<number> {
  const cancel = new AbortController();
  const setup = new AbortController();
  // git reads the work tree and its facts (a handful of processes on the other CPU) while the
  // heavy modules load: start-up is most of a short pipeline's wall time.
  const [{ findRepoRoot }, { contextFromGitRepo }] = await Promise.all([import('../local/repo-root.js'), import('../local/repo-context.js')]);
  const startDir = path.resolve(opts.projectDir ?? process.cwd());
  const readContext = (dir: string): ReturnType<typeof contextFromGitRepo> => contextFromGitRepo(dir, {
    ...(opts.ref !== undefined ? { ref: opts.ref } : {}),
    source: opts.source,
    signal: setup.signal,
  });
  const rootFound = findRepoRoot(startDir, setup.signal);
  // Usually drydock runs at the top of the work tree: read the context from there right away
  // rather than after findRepoRoot; from a subdirectory, read it again from the top.
  const guessed = readContext(startDir);
  guessed.catch(() => undefined);
  // Outside a work tree, stop the guess (it would list the directory's files) and report the error.
  rootFound.catch(() => setup.abort());
  const contextRead = rootFound.then(({ root }) => (root === startDir ? guessed : readContext(root)));
  contextRead.catch(() => undefined);
  // The shell executor checks its shell meanwhile too (docker's is made later, as it talks to the daemon).
  const shellExecutor = opts.executor === 'shell' ? createExecutor(opts, rawOpts) : undefined;
  shellExecutor?.catch(() => undefined);
  // Loaded here, not at the top, so other commands (and --help, --version) start fast.
  const [
    { formatPipelineError }, { compilePipelineFile }, { runJob }, { selectJobs }, { defaultBuildsRoot, defaultConcurrency },
    { createPlainReporter }, { createTerminalReporter }, { runLocalPipeline },
    { StateDir }, { describeJobs },
  ] = await Promise.all([
    import('../pipeline/errors.js'), import('../pipeline/index.js'), import('../runtime/run-job.js'),
    import('../local/job-selection.js'), import('../local/local-run-defaults.js'), import('../local/output/plain-reporter.js'),
    import('../local/output/terminal-reporter.js'),
    import('../local/run-pipeline.js'), import('../local/state-dir.js'), import('../local/describe-jobs.js'),
  ]);
  const { root } = await rootFound;
  const userVariables = await loadUserVariables(opts);
  const registryVars = opts.registry !== undefined ? [{ key: 'CI_REGISTRY', value: opts.registry }] : [];
  const gitContext = await contextRead;
  // User variables come last, so they win (what contextFromGitRepo's `variables` option does).
  const repoContext = { ...gitContext, variables: [...gitContext.variables, ...registryVars, ...userVariables.map((v) => ({ key: v.key, value: v.value }))] };
  for (const w of repoContext.warnings) process.stderr.write(`warning: ${w}\n`);
  const projectPath = lastValue(repoContext.variables, 'CI_PROJECT_PATH') ?? path.basename(root);
  const context: CompileContext = opts.registry === undefined ? repoContext : {
    ...repoContext,
    variables: [...repoContext.variables, { key: 'CI_REGISTRY_IMAGE', value: `${opts.registry}/${projectPath.toLowerCase()}` }],
  };
  const compiled = await compilePipelineFile({ projectDir: root, file: opts.file, signal: setup.signal }, context);
  for (const w of compiled.warnings) process.stderr.write(`warning: ${w}\n`);
  if (!compiled.valid) {
    const errors = compiled.errors.map(formatPipelineError);
    throw new UsageError(`${opts.file} is not a valid pipeline:\n${errors.map((e) => `  ${e}`).join('\n') || '  (no details)'}`);
  }
  const pipeline = compiled.pipeline;
  if (pipeline === undefined) {
    process.stderr.write(`drydock run: no pipeline created for ${context.ref} (source ${context.source}): workflow:rules filtered it out\n`);
    return 1;
  }
  if (opts.list) {
    process.stdout.write(describeJobs(pipeline));
    return 0;
  }
  const selection = selectJobs(pipeline.jobs, names, { withNeeds: opts.needs });
  if (!selection.ok) throw new UsageError(selection.message);
  const manual = opts.manual ?? [];
  const unknownManual = manual.filter((m) => !pipeline.jobs.some((j) => j.name === m));
  if (unknownManual.length > 0) throw new UsageError(`--manual ${unknownManual.join(', ')}: no such job in the pipeline`);
  // Child pipelines (trigger:include) run here; multi-project ones (trigger:project) need a server.
  const { withoutProjectTriggers } = await import('../local/child-pipeline.js');
  const jobs = withoutProjectTriggers(selection.jobs, (text) => process.stderr.write(`warning: ${text}\n`));
  if (jobs.length === 0) throw new UsageError('the pipeline has no jobs to run (rules/only/except excluded them all); see drydock run --list');

  const executor = await (shellExecutor ?? createExecutor(opts, rawOpts));
  const { environment: runnerEnvironment, hooks } = opts.executor === 'docker' ? await runnerSettingsFromOptions(rawOpts) : { environment: [], hooks: {} };
  const color = opts.color !== false && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
  // `drydock run | head` closes stdout early: keep running the pipeline (logs still go to disk).
  let stdoutOpen = true;
  process.stdout.on('error', () => { stdoutOpen = false; });
  const write = (text: string): void => { if (stdoutOpen) process.stdout.write(text); };
  const reporter = (color ? createTerminalReporter : createPlainReporter)(write, process.cwd(), opts.outputLimit, opts.verbose === true);
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      reporter.notice(`${sig}: canceling running jobs (after_script still runs); press Ctrl-C again to stop at once`);
      cancel.abort();
    } else {
      // Second Ctrl-C: stop now, taking the jobs' process groups down with us.
      void import('../local/kill-children.js').then(({ killChildProcessGroups }) => {
        const n = killChildProcessGroups();
        process.stderr.write(`drydock run: stopped at once${n > 0 ? `; killed ${n} job process group(s)` : ''}\n`);
        process.exit(130);
      }, () => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runLocalPipeline({
      repoDir: root,
      pipeline,
      context,
      jobs,
      userVariables,
      runnerEnvironment,
      hooks,
      executor,
      runJob,
      state: new StateDir(path.resolve(opts.stateDir ?? path.join(root, '.drydock'))),
      buildsRoot: path.resolve(opts.buildsDir ?? defaultBuildsRoot(root)),
      concurrency: opts.concurrency ?? defaultConcurrency(),
      playManual: new Set([...manual, ...names]),
      includeUncommitted: opts.includeUncommitted === true,
      shell: opts.shell,
      signal: cancel.signal,
      reporter,
      waitDelayed: opts.delay,
      version: await packageVersion(),
      defaultTimeoutSeconds: opts.timeout,
    });
    if (cancel.signal.aborted) return 130;
    return result.status === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function createExecutor(opts: RunOptions, rawOpts: Record<string, unknown>): Promise<Executor> {
  if (opts.executor === 'shell') {
    const { ShellExecutor } = await import('../executor/shell/shell-executor.js');
    const shell = new ShellExecutor({ shell: opts.shell });
    shell.preflight();
    return shell;
  }
  return createDockerExecutorFromOptions(rawOpts);
}

async function loadUserVariables(opts: RunOptions): Promise<UserVariable[]> {
  const { loadVariablesFile, parseVarFlag } = await import('../local/user-variables.js');
  const vars: UserVariable[] = [];
  for (const f of opts.variablesFile ?? []) vars.push(...(await loadVariablesFile(f)));
  // --protected/--no-protected set what GitLab derives from the project's protected branches.
  if (opts.protected !== undefined) vars.push(parseVarFlag(`CI_COMMIT_REF_PROTECTED=${String(opts.protected)}`));
  for (const v of opts.var ?? []) vars.push({ ...parseVarFlag(v), pipeline: true });
  return vars;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8').catch(() => '{}');
  const v = (JSON.parse(text) as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'dev';
}
