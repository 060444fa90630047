// `drydock runner run` and `drydock runner run-single`: the composition root of the runner's job loop.
// It builds executors from config.toml ([runners.docker] → DockerExecutor, shell → ShellExecutor;
// the runner itself may not import executors), wires signals (SIGTERM/SIGQUIT/SIGINT: stop taking
// jobs and let running ones finish up to shutdown_timeout; a second signal aborts them; SIGHUP
// reloads config.toml) and prints the loop's messages on stderr.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Executor } from '../executor/executor.js';
import { expandRunner } from '../pipeline/variables/expand.js';
import { RunnerConfigError } from '../runner/config/config-error.js';
import { defaultConfigPath } from '../runner/config/default-config-path.js';
import { parseEnvironment } from '../runner/config/environment-entry.js';
import { loadRunnerConfig } from '../runner/config/load-runner-config.js';
import { RunnerConfigFileSchema, RunnerEntrySchema, type RunnerConfigFile, type RunnerEntry } from '../runner/config/schema.js';
import { hostBuildsRoot } from '../runner/job/build-dirs.js';
import { loadOrCreateSystemId } from '../runner/register/runner-system-id.js';
import type { RunnerLog } from '../runner/run/runner-log.js';
import { RunnerService, type ExecutorFactory } from '../runner/run/runner-service.js';

/** An executor that cannot be built: the job fails with this reason (the runtime reads `failureReason`). */
class ExecutorSetupError extends Error {
  constructor(message: string, readonly failureReason = 'runner_configuration_error') {
    super(message);
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of at least 0');
  return n;
}

export function registerRunnerRunCommands(runner: Command, setExitCode: (code: number) => void): void {
  runner
    .command('run')
    .description('run jobs for every [[runners]] entry of config.toml until stopped (SIGTERM/SIGQUIT/Ctrl-C: finish running jobs; twice: abort them)')
    .addOption(new Option('-c, --config <file>', 'config.toml to use').env('CONFIG_FILE'))
    .addOption(new Option('-d, --working-directory <dir>', 'root of builds and caches for the shell executor').default(process.cwd(), 'current directory'))
    .action(async (opts: { config?: string; workingDirectory: string }) => {
      const path = opts.config ?? defaultConfigPath();
      setExitCode(await runService({
        configPath: path, workDir: opts.workingDirectory,
        loadConfig: (signal) => loadRunnerConfig(path, { requireCredentials: true, signal }),
      }));
    });

  runner
    .command('run-single')
    .description('run jobs for one runner given by flags (or by -c FILE -r NAME), without config reload')
    .addOption(new Option('-c, --config <file>', 'take the runner from this config.toml (with --runner-name)').env('CONFIG_FILE'))
    .addOption(new Option('-r, --runner-name <name>', 'the [[runners]] entry of --config to run'))
    .addOption(new Option('-u, --url <url>', 'server URL').env('CI_SERVER_URL'))
    .addOption(new Option('-t, --token <token>', 'runner authentication token').env('CI_SERVER_TOKEN'))
    .addOption(new Option('--name <name>', 'runner name (informational)').env('RUNNER_NAME'))
    .addOption(new Option('--executor <name>', 'shell or docker').env('RUNNER_EXECUTOR'))
    .addOption(new Option('--shell <shell>', 'bash or sh').choices(['bash', 'sh']).env('RUNNER_SHELL'))
    .addOption(new Option('--builds-dir <dir>', 'builds directory (shell executor)').env('RUNNER_BUILDS_DIR'))
    .addOption(new Option('--cache-dir <dir>', 'cache directory (shell executor)').env('RUNNER_CACHE_DIR'))
    .addOption(new Option('--env <KEY=VALUE>', 'variable added to every job (repeatable)').argParser(collect).env('RUNNER_ENV'))
    .addOption(new Option('--limit <n>', 'jobs at once').argParser(nonNegativeInt).env('RUNNER_LIMIT'))
    .addOption(new Option('--docker-image <image>', 'image for jobs without image:').env('DOCKER_IMAGE'))
    .addOption(new Option('--docker-host <url>', 'Docker engine').env('DOCKER_HOST'))
    .addOption(new Option('--docker-privileged [bool]', 'run containers privileged').env('DOCKER_PRIVILEGED'))
    .addOption(new Option('--docker-volumes <spec>', 'volume (repeatable)').argParser(collect).env('DOCKER_VOLUMES'))
    .addOption(new Option('--docker-pull-policy <policy>', 'always, if-not-present or never (repeatable)').argParser(collect).env('DOCKER_PULL_POLICY'))
    .addOption(new Option('--max-builds <n>', 'stop after this many jobs (0: no limit)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('--wait-timeout <seconds>', 'stop when no job arrived within this time (0: wait forever)').argParser(nonNegativeInt).default(0))
    .addOption(new Option('-d, --working-directory <dir>', 'root of builds and caches').default(process.cwd(), 'current directory'))
    .action(async (opts: SingleOptions) => {
      let config: RunnerConfigFile;
      try {
        config = await singleConfig(opts);
      } catch (err) {
        process.stderr.write(`ERROR: ${(err as Error).message}\n`);
        setExitCode(err instanceof InvalidArgumentError ? 2 : 1);
        return;
      }
      setExitCode(await runService({
        workDir: opts.workingDirectory, loadConfig: async () => config,
        maxBuilds: opts.maxBuilds, waitTimeoutSeconds: opts.waitTimeout,
        ...(opts.config ? { systemIdFile: opts.config } : {}),
      }));
    });
}

interface SingleOptions {
  config?: string; runnerName?: string; url?: string; token?: string; name?: string; executor?: string; shell?: string;
  buildsDir?: string; cacheDir?: string; env?: string[]; limit?: number; dockerImage?: string; dockerHost?: string;
  dockerPrivileged?: boolean | string; dockerVolumes?: string[]; dockerPullPolicy?: string[];
  maxBuilds: number; waitTimeout: number; workingDirectory: string;
}

/** run-single's one runner: from -c/-r, else from flags and their environment variables. */
async function singleConfig(o: SingleOptions): Promise<RunnerConfigFile> {
  if (o.config && o.runnerName) {
    const file = await loadRunnerConfig(o.config, { requireCredentials: true });
    const entry = file.runners.find((r) => r.name === o.runnerName);
    if (!entry) throw new Error(`${o.config}: no [[runners]] entry named "${o.runnerName}" (entries: ${file.runners.map((r) => `"${r.name}"`).join(', ') || 'none'})`);
    return { ...file, concurrent: Math.max(1, entry.limit || 1), runners: [entry] };
  }
  const missing = [!o.url && '--url (CI_SERVER_URL)', !o.token && '--token (CI_SERVER_TOKEN)', !o.executor && '--executor (RUNNER_EXECUTOR)'].filter(Boolean);
  if (missing.length > 0) throw new InvalidArgumentError(`run-single needs ${missing.join(', ')}, or -c FILE -r NAME`);
  const privileged = o.dockerPrivileged === true || o.dockerPrivileged === 'true';
  const docker = o.executor === 'docker' ? {
    ...(o.dockerImage ? { image: o.dockerImage } : {}), ...(o.dockerHost ? { host: o.dockerHost } : {}),
    privileged, volumes: o.dockerVolumes ?? [], ...(o.dockerPullPolicy ? { pull_policy: o.dockerPullPolicy } : {}),
  } : undefined;
  const parsed = RunnerEntrySchema.safeParse({
    name: o.name ?? '', url: o.url, token: o.token, executor: o.executor,
    ...(o.shell ? { shell: o.shell } : {}), ...(o.buildsDir ? { builds_dir: o.buildsDir } : {}), ...(o.cacheDir ? { cache_dir: o.cacheDir } : {}),
    environment: o.env ?? [], limit: o.limit ?? 0, ...(docker ? { docker } : {}),
  });
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues.map((i) => `--${i.path.join('-').replace(/_/g, '-')}: ${i.message}`).join('\n'));
  return { ...RunnerConfigFileSchema.parse({ concurrent: Math.max(1, parsed.data.limit || 1) }), runners: [parsed.data] };
}

interface ServiceSetup {
  configPath?: string;
  systemIdFile?: string;
  workDir: string;
  loadConfig: (signal: AbortSignal) => Promise<RunnerConfigFile>;
  maxBuilds?: number;
  waitTimeoutSeconds?: number;
}

async function runService(s: ServiceSetup): Promise<number> {
  const log = stderrLog();
  const stop = new AbortController();
  const force = new AbortController();
  const onStop = (signal: string): void => {
    if (!stop.signal.aborted) {
      log.info(`${signal} received: no new jobs; running jobs may finish (up to shutdown_timeout). ${signal} again aborts them.`);
      stop.abort();
    } else if (!force.signal.aborted) {
      log.warn(`${signal} received again: aborting running jobs`);
      force.abort();
    }
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGTERM', () => onStop('SIGTERM')], ['SIGQUIT', () => onStop('SIGQUIT')], ['SIGINT', () => onStop('SIGINT')],
  ];
  const version = await packageVersion();
  const idFile = s.configPath ?? s.systemIdFile;
  const systemId = idFile ? await loadOrCreateSystemId(idFile) : `r_${Math.random().toString(36).slice(2, 14).padEnd(12, '0')}`;
  const service = new RunnerService({
    loadConfig: s.loadConfig, ...(s.configPath ? { configPath: s.configPath } : {}),
    createExecutor, expand: expandRunner, version, workDir: s.workDir, systemId, log,
    ...(s.maxBuilds ? { maxBuilds: s.maxBuilds } : {}), ...(s.waitTimeoutSeconds ? { waitTimeoutSeconds: s.waitTimeoutSeconds } : {}),
  });
  const onHup = (): void => { log.info('SIGHUP received: reloading the configuration'); void service.reload(stop.signal); };
  for (const [sig, h] of handlers) process.on(sig, h);
  if (s.configPath) process.on('SIGHUP', onHup);
  try {
    log.info(`drydock runner ${version} starting${s.configPath ? ` with ${s.configPath}` : ''} (system ID ${systemId})`);
    const result = await service.run(stop.signal, force.signal);
    log.info(`stopped after ${result.jobs.length} job(s)`);
    return 0;
  } catch (err) {
    if (err instanceof RunnerConfigError) log.error(`config.toml has errors:\n${err.message}`);
    else log.error((err as Error).message);
    return 1;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('SIGHUP', onHup);
  }
}

const createExecutor: ExecutorFactory = async (entry, ctx) => {
  switch (entry.executor) {
    case 'shell': {
      const { ShellExecutor } = await import('../executor/shell/shell-executor.js');
      return new ShellExecutor({
        shell: entry.shell === 'sh' ? 'sh' : 'bash',
        buildsDir: hostBuildsRoot({ ...(entry.builds_dir ? { buildsDir: entry.builds_dir } : {}), workDir: ctx.workDir, executor: 'shell' }),
      });
    }
    case 'docker':
      return dockerExecutor(entry, ctx.shortToken);
    case 'kubernetes':
      throw new ExecutorSetupError('the kubernetes executor is not available on this machine: drydock has no kubernetes executor here (no cluster to talk to). Use executor = "docker" or "shell" for this runner.');
    default:
      throw new ExecutorSetupError(`executor "${entry.executor || '(none)'}" is not supported by drydock: use "shell" or "docker" in config.toml`);
  }
};

async function dockerExecutor(entry: RunnerEntry, short: string): Promise<Executor> {
  const [{ DockerExecutor }, { dockerSettingsFromConfig, DockerSettingsError }] = await Promise.all([
    import('../executor/docker/docker-executor.js'), import('./docker-settings-from-config.js'),
  ]);
  let config;
  try {
    config = dockerSettingsFromConfig(entry.docker);
  } catch (err) {
    throw err instanceof DockerSettingsError ? new ExecutorSetupError(err.message) : err;
  }
  const environment = parseEnvironment(entry.environment).variables;
  return new DockerExecutor({
    ...config,
    ...(environment.length > 0 ? { environment } : {}),
    defaultPullPolicy: ['always'],
    runnerShort: short,
  });
}

function stderrLog(): RunnerLog {
  const line = (level: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  };
  return { info: (m) => line('INFO ', m), warn: (m) => line('WARN ', m), error: (m) => line('ERROR', m) };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'dev';
}
