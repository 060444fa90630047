// `drydock runner register | verify | unregister | list | run | run-single`: gitlab-runner's commands
// with its flags, environment variables and config.toml. Exit codes: 0 ok, 1 failure (server said no,
// unreachable, missing values with -n, bad config.toml), 2 bad usage (a flag value that cannot be right).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Command, Option } from 'commander';
import { RunnerConfigError } from '../runner/config/config-error.js';
import { defaultConfigPath } from '../runner/config/default-config-path.js';
import { RunnerApiClient, RunnerApiError, runnerInfo } from '../runner/network/index.js';
import { LinePrompter } from '../runner/register/line-prompter.js';
import { listRunners, unregisterRunners, verifyRunners, type ManageContext } from '../runner/register/manage-runners.js';
import { loadTemplateConfig } from '../runner/register/load-template-config.js';
import { parseRegisterFlags, rawFromEnv, type RawFlagValue } from '../runner/register/parse-register-flags.js';
import { REGISTER_FLAGS, type RegisterFlag } from '../runner/register/register-flags.js';
import { RegisterError, registerRunner } from '../runner/register/register-runner.js';
import { loadOrCreateSystemId } from '../runner/register/runner-system-id.js';
import type { CommandRegistrar } from './command-registrar.js';
import { registerRunnerRunCommands } from './runner-run-commands.js';

class UsageError extends Error {}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const register: CommandRegistrar = (program, setExitCode) => {
  const runner = program
    .command('runner')
    .description('register and run a GitLab-compatible runner (gitlab-runner\'s commands, flags and config.toml)');

  const registerCmd = runner
    .command('register')
    .description('register a new runner with a server and add it to config.toml');
  for (const flag of REGISTER_FLAGS) {
    registerCmd.addOption(optionFor(flag, flag.long, flag.short));
    for (const alias of flag.aliases ?? []) registerCmd.addOption(optionFor(flag, alias, undefined, `same as --${flag.long}`));
  }
  registerCmd.action(async (_opts: unknown, cmd: Command) => {
    await guard('register', setExitCode, () => runRegister(cmd));
  });

  runner
    .command('verify')
    .description('check that the server still knows every runner in config.toml')
    .addOption(configOption())
    .option('-n, --name <name>', 'only the runner with this name')
    .option('-u, --url <url>', 'only runners with this URL')
    .option('-t, --token <token>', 'only the runner with this token')
    .option('--delete', 'remove runners the server no longer knows from config.toml')
    .action(async (opts: { config?: string; name?: string; url?: string; token?: string; delete?: boolean }) => {
      await guard('verify', setExitCode, () => withManage((ctx) => verifyRunners(configPath(opts.config), {
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(opts.url !== undefined ? { url: opts.url } : {}),
        ...(opts.token !== undefined ? { token: opts.token } : {}),
        delete: opts.delete === true,
      }, ctx), configPath(opts.config)));
    });

  runner
    .command('unregister')
    .description('remove a runner from the server and from config.toml')
    .addOption(configOption())
    .option('-n, --name <name>', 'the runner with this name (first match)')
    .option('-u, --url <url>', 'server URL (with --token)')
    .option('-t, --token <token>', 'runner authentication token (with --url)')
    .option('--all-runners', 'every runner in config.toml')
    .action(async (opts: { config?: string; name?: string; url?: string; token?: string; allRunners?: boolean }) => {
      if ((opts.url === undefined) !== (opts.token === undefined)) {
        await guard('unregister', setExitCode, () => { throw new UsageError('--url and --token go together'); });
        return;
      }
      await guard('unregister', setExitCode, () => withManage((ctx) => unregisterRunners(configPath(opts.config), {
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(opts.url !== undefined ? { url: opts.url } : {}),
        ...(opts.token !== undefined ? { token: opts.token } : {}),
        allRunners: opts.allRunners === true,
      }, ctx), configPath(opts.config)));
    });

  runner
    .command('list')
    .description('list the runners in config.toml')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      await guard('list', setExitCode, () => listRunners(configPath(opts.config), { out: (l) => process.stdout.write(`${l}\n`), signal: new AbortController().signal }));
    });

  registerRunnerRunCommands(runner, setExitCode);
};

export default register;

function configOption(): Option {
  return new Option('-c, --config <file>', `config file (env: CONFIG_FILE; default ${defaultConfigPath()})`);
}

function configPath(flag: string | undefined): string {
  return flag ?? (process.env.CONFIG_FILE || defaultConfigPath());
}

function optionFor(flag: RegisterFlag, long: string, short: string | undefined, extra?: string): Option {
  const arg = flag.kind === 'bool' ? '[true|false]' : flag.kind === 'int' ? '<n>' : '<value>';
  const env = flag.env ? ` (env: ${flag.env})` : '';
  const option = new Option(`${short ? `-${short}, ` : ''}--${long} ${arg}`, `${extra ?? flag.description}${env}`);
  if (flag.kind === 'list') option.argParser(collect);
  return option;
}

/** Command line first, then the flag's environment variable. */
function rawFlags(cmd: Command): Map<string, RawFlagValue> {
  const opts = cmd.opts<Record<string, unknown>>();
  const raw = new Map<string, RawFlagValue>();
  const attr = (long: string) => long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  for (const flag of REGISTER_FLAGS) {
    for (const long of [flag.long, ...(flag.aliases ?? [])]) {
      const value = opts[attr(long)];
      if (value === undefined) continue;
      const values = Array.isArray(value) ? (value as string[]) : [value as string | true];
      raw.set(flag.long, { values, source: 'cli' });
    }
    if (!raw.has(flag.long)) {
      const fromEnv = rawFromEnv(flag, process.env);
      if (fromEnv) raw.set(flag.long, fromEnv);
    }
  }
  return raw;
}

async function runRegister(cmd: Command): Promise<number> {
  const parsed = parseRegisterFlags(rawFlags(cmd));
  if (parsed.errors.length > 0) throw new UsageError(parsed.errors.join('\n'));
  const { settings } = parsed;
  const path = settings.config ?? defaultConfigPath();
  const controller = new AbortController();
  const onSigint = () => controller.abort(new RegisterError('interrupted'));
  process.once('SIGINT', onSigint);
  const prompter = settings.nonInteractive ? undefined : new LinePrompter(process.stdin, process.stdout);
  try {
    const template = settings.templateConfig ? await loadTemplateConfig(settings.templateConfig, controller.signal) : undefined;
    if (settings.templateConfig) process.stderr.write(`Merging configuration from template file "${settings.templateConfig}"\n`);
    await registerRunner({ settings, entry: parsed.entry, configPath: path }, {
      api: (url) => new RunnerApiClient(url),
      ...(prompter ? { prompter } : {}),
      ...(template ? { template } : {}),
      out: (l) => process.stdout.write(`${l}\n`),
      warn: (l) => process.stderr.write(`WARNING: ${l}\n`),
      hostname: os.hostname(),
      now: () => new Date(),
      info: runnerInfo({ version: await packageVersion() }),
      systemId: () => loadOrCreateSystemId(path),
      signal: controller.signal,
    });
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    prompter?.close();
  }
}

async function withManage(fn: (ctx: ManageContext) => Promise<number>, path: string): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new RegisterError('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    return await fn({
      api: (url) => new RunnerApiClient(url),
      out: (l) => process.stdout.write(`${l}\n`),
      warn: (l) => process.stderr.write(`${l}\n`),
      systemId: () => loadOrCreateSystemId(path),
      signal: controller.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Known failures become one clear message and an exit code; anything else is a bug and propagates. */
async function guard(name: string, setExitCode: (code: number) => void, fn: () => Promise<number>): Promise<void> {
  try {
    setExitCode(await fn());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`drydock runner ${name}: ${err.message.split('\n').join(`\ndrydock runner ${name}: `)}\n`);
      setExitCode(2);
    } else if (err instanceof RegisterError || err instanceof RunnerConfigError || err instanceof RunnerApiError) {
      process.stderr.write(`drydock runner ${name}: ${err.message.split('\n').join(`\ndrydock runner ${name}: `)}\n`);
      setExitCode(1);
    } else {
      throw err;
    }
  }
}

async function packageVersion(): Promise<string> {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
}
