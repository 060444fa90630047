// `drydock runner register`, step by step as gitlab-runner's register command: load config.toml (a broken
// file is never extended), merge the template, ask for (or require) URL and token, register with a
// registration token or verify an authentication token, ask for the executor and its options, then
// append the [[runners]] entry. A failure after the server created the runner unregisters it again.
import { readFile } from 'node:fs/promises';
import type { RegisterRunnerRequest, RunnerInfo, RunnerRegistrationResponse } from '../../protocol/index.js';
import { RunnerConfigError } from '../config/config-error.js';
import { parseRunnerConfig } from '../config/load-runner-config.js';
import type { RunnerEntryInput } from '../config/schema.js';
import { addRunner, saveRunnerConfig } from '../config/write-runner-config.js';
import { LEGACY_SERVER_FLAGS, SUPPORTED_EXECUTORS } from './register-flags.js';
import { listOf, type RegisterSettings } from './parse-register-flags.js';
import { finalizeEntry, getPath, mergeTables, splitTags, wholeSeconds, type PlainTable } from './runner-entry.js';
import { shortToken } from './short-token.js';

/** The runner API calls registration needs (RunnerApiClient has them). */
export interface RegistrationApi {
  registerRunner(req: RegisterRunnerRequest, signal: AbortSignal): Promise<RunnerRegistrationResponse>;
  verifyRunner(token: string, signal: AbortSignal, extra?: { systemId?: string; info?: RunnerInfo }): Promise<RunnerRegistrationResponse>;
  unregisterRunner(token: string, signal: AbortSignal): Promise<void>;
  unregisterRunnerManager(token: string, systemId: string, signal: AbortSignal): Promise<void>;
}

export interface Prompter {
  /**
   * Shows the question (and `[current]:` when there is a value); the trimmed answer, or undefined at end
   * of input. Rejects with the signal's reason when it is aborted (Ctrl-C at a prompt).
   */
  ask(question: string, current: string, signal: AbortSignal): Promise<string | undefined>;
}

export interface RegisterContext {
  api(url: string): RegistrationApi;
  /** Undefined with --non-interactive: missing values are then errors. */
  prompter?: Prompter;
  out(line: string): void;
  warn(line: string): void;
  hostname: string;
  now(): Date;
  info: RunnerInfo;
  systemId(): Promise<string>;
  signal: AbortSignal;
  /** Template entry already loaded (--template-config), if any. */
  template?: PlainTable;
}

export interface RegisterInput {
  settings: RegisterSettings;
  /** The entry the flags describe (parseRegisterFlags). */
  entry: PlainTable;
  configPath: string;
}

export interface RegisterOutcome {
  id: number;
  token: string;
  name: string;
  executor: string;
}

/** A failure the user can fix; the message says how. */
export class RegisterError extends Error {
  override readonly name = 'RegisterError';
}

const FLAG_HINTS: Record<string, string> = {
  url: '--url URL (or set CI_SERVER_URL)',
  'registration-token': '--registration-token TOKEN or --token glrt-... (or set REGISTRATION_TOKEN / CI_SERVER_TOKEN)',
  executor: `--executor ${SUPPORTED_EXECUTORS.join('|')} (or set RUNNER_EXECUTOR)`,
  'docker-image': '--docker-image IMAGE (or set DOCKER_IMAGE)',
};

export async function registerRunner(input: RegisterInput, ctx: RegisterContext): Promise<RegisterOutcome> {
  const { settings, configPath } = input;
  const concurrent = await checkConfigFile(configPath, ctx.signal);
  let entry = ctx.template ? mergeTables(ctx.template, input.entry) : { ...input.entry };
  if (typeof entry.name !== 'string' || entry.name === '') entry.name = ctx.hostname;

  const ask = makeAsk(ctx);
  const str = (path: string[]) => {
    const v = getPath(entry, path);
    return typeof v === 'string' ? v : '';
  };
  // Unattended runs fail before the server hears of the runner, not after.
  if (!ctx.prompter) precheck(entry, settings);

  const url = await ask('url', 'Enter the GitLab instance URL (for example, https://gitlab.com/):', str(['url']));
  checkUrl(url);
  entry.url = url;
  const api = ctx.api(url);

  let registered: { token: string; created: boolean } | undefined;
  try {
    const credentials = await obtainCredentials(entry, settings, ctx, api, ask);
    registered = { token: credentials.token, created: credentials.created };
    entry = { ...entry, ...credentials.fields };

    const limit = typeof entry.limit === 'number' ? entry.limit : 0;
    if (limit > concurrent) {
      ctx.warn(`Specified limit (${limit}) larger than the current concurrent limit (${concurrent}). Concurrent limit will not be enlarged.`);
    }

    const executor = await askExecutor(ctx, str(['executor']));
    if (executor === 'docker') {
      const image = await ask('docker-image', 'Enter the default Docker image (for example, ruby:3.3):', str(['docker', 'image']));
      entry = mergeTables(entry, { docker: { image } });
    }
    entry = finalizeEntry(entry, executor);

    // Re-read: the file may have changed while we were asking.
    const current = await readText(configPath, ctx.signal);
    const text = addRunner(current, entry as RunnerEntryInput, configPath);
    await saveRunnerConfig(configPath, text, { signal: ctx.signal });
    ctx.out("Runner registered successfully. Feel free to start it, but if it's running already the config should be automatically reloaded!");
    ctx.out(`Configuration (with the authentication token) was saved in "${configPath}"`);
    return { id: credentials.id, token: credentials.token, name: String(entry.name), executor };
  } catch (err) {
    if (registered?.created && !settings.leaveRunner) await undoRegistration(api, registered.token, ctx);
    throw err;
  }
}

type Ask = (key: string, question: string, current: string, allowEmpty?: boolean) => Promise<string>;

function makeAsk(ctx: RegisterContext): Ask {
  return async (key, question, current, allowEmpty = false) => {
    const value = current.trim();
    if (!ctx.prompter) {
      if (value === '' && !allowEmpty) throw new RegisterError(`The ${key} needs to be entered: pass ${FLAG_HINTS[key] ?? `--${key}`}`);
      return value;
    }
    for (;;) {
      const answer = await ctx.prompter.ask(question, value, ctx.signal);
      if (answer === undefined) {
        throw new RegisterError(`input ended while asking for the ${key}; answer every question, or use --non-interactive with ${FLAG_HINTS[key] ?? `--${key}`}`);
      }
      if (answer !== '') return answer;
      if (allowEmpty || value !== '') return value;
    }
  };
}

async function askExecutor(ctx: RegisterContext, current: string): Promise<string> {
  const valid = (e: string): boolean => (SUPPORTED_EXECUTORS as readonly string[]).includes(e);
  const question = `Enter an executor: ${SUPPORTED_EXECUTORS.join(', ')}:`;
  const ask = makeAsk(ctx);
  for (;;) {
    const executor = await ask('executor', question, current);
    if (valid(executor)) return executor;
    const message = `Invalid executor specified: "${executor}"; drydock runs ${listOf(SUPPORTED_EXECUTORS)}`;
    if (!ctx.prompter) throw new RegisterError(message);
    ctx.warn(message);
    current = '';
  }
}

interface Credentials {
  id: number;
  token: string;
  /** True when this run created the runner on the server (so a later failure must delete it). */
  created: boolean;
  fields: PlainTable;
}

async function obtainCredentials(entry: PlainTable, settings: RegisterSettings, ctx: RegisterContext, api: RegistrationApi, ask: Ask): Promise<Credentials> {
  const authToken = typeof entry.token === 'string' ? entry.token.trim() : '';
  if (authToken !== '') {
    if (authToken.startsWith('glrt-')) {
      const legacy = LEGACY_SERVER_FLAGS.filter((f) => settings.given.has(f));
      if (legacy.length > 0) {
        throw new RegisterError(
          `${legacy.map((f) => `--${f}`).join(', ')} cannot be used with a runner authentication token (glrt-): `
          + 'tags, locking, access level, timeout, paused and the maintenance note are set where the runner was created on the server. '
          + 'Run again without them.',
        );
      }
    } else {
      ctx.warn("Token specified trying to verify runner... If you want to register use the '-r' instead of '-t'.");
    }
    return verifyToken(authToken, entry, ctx, api, ask);
  }

  const token = await ask('registration-token', 'Enter the registration token:', settings.registrationToken ?? '');
  if (token.startsWith('glrt-')) {
    const ignored = LEGACY_SERVER_FLAGS.filter((f) => settings.given.has(f));
    if (ignored.length > 0) {
      ctx.warn(
        'You have specified an authentication token in the legacy parameter --registration-token. This has triggered the '
        + `'legacy-compatible registration process' which has resulted in the following command line parameters being ignored: ${ignored.map((f) => `--${f}`).join(', ')}.`,
      );
    }
    return verifyToken(token, entry, ctx, api, ask);
  }

  const name = await ask('name', 'Enter a description for the runner:', String(entry.name ?? ''));
  const tagList = await ask('tag-list', 'Enter tags for the runner (comma-separated):', settings.tagList ?? '', true);
  const note = await ask('maintenance-note', 'Enter optional maintenance note for the runner:', settings.maintenanceNote ?? '', true);
  const tags = splitTags(tagList);
  const request: RegisterRunnerRequest = {
    token,
    description: name,
    ...(note ? { maintenance_note: note } : {}),
    info: ctx.info,
    tag_list: tags,
    run_untagged: tags.length === 0 ? true : settings.runUntagged ?? false,
    locked: settings.locked ?? true,
    ...(settings.accessLevel ? { access_level: settings.accessLevel } : {}),
    ...(settings.maximumTimeout && settings.maximumTimeout > 0 ? { maximum_timeout: settings.maximumTimeout } : {}),
    paused: settings.paused ?? false,
  };
  const result = await api.registerRunner(request, ctx.signal);
  ctx.out(`Registering runner... succeeded                     runner=${shortToken(token)}`);
  return { id: result.id, token: result.token, created: true, fields: { name, ...tokenFields(result, ctx.now()) } };
}

async function verifyToken(token: string, entry: PlainTable, ctx: RegisterContext, api: RegistrationApi, ask: Ask): Promise<Credentials> {
  const result = await api.verifyRunner(token, ctx.signal, { systemId: await ctx.systemId(), info: ctx.info });
  ctx.out(`Verifying runner... is valid                        runner=${shortToken(token)}`);
  const name = await ask('name', 'Enter a name for the runner. This is stored only in the local config.toml file:', String(entry.name ?? ''));
  return { id: result.id, token, created: false, fields: { name, ...tokenFields({ ...result, token }, ctx.now()) } };
}

function tokenFields(result: RunnerRegistrationResponse, now: Date): PlainTable {
  const expires = result.token_expires_at ? new Date(result.token_expires_at) : undefined;
  return {
    id: result.id,
    token: result.token,
    token_obtained_at: wholeSeconds(now),
    ...(expires && !Number.isNaN(expires.getTime()) && expires.getUTCFullYear() > 1 ? { token_expires_at: wholeSeconds(expires) } : {}),
  };
}

async function undoRegistration(api: RegistrationApi, token: string, ctx: RegisterContext): Promise<void> {
  // A fresh, bounded signal: the run may have failed because the first one was aborted (Ctrl-C).
  try {
    await api.unregisterRunner(token, AbortSignal.timeout(10_000));
    ctx.warn(`The runner was removed from the server again (runner=${shortToken(token)}); pass --leave-runner to keep it.`);
  } catch (err) {
    ctx.warn(`Could not remove the half-registered runner from the server (runner=${shortToken(token)}): ${(err as Error).message}`);
  }
}

/** Values that -n needs, checked before any request. */
function precheck(entry: PlainTable, settings: RegisterSettings): void {
  const missing: string[] = [];
  const has = (path: string[]) => {
    const v = getPath(entry, path);
    return typeof v === 'string' && v.trim() !== '';
  };
  if (!has(['url'])) missing.push('url');
  if (!has(['token']) && !settings.registrationToken) missing.push('registration-token');
  if (!has(['executor'])) missing.push('executor');
  else if (getPath(entry, ['executor']) === 'docker' && !has(['docker', 'image'])) missing.push('docker-image');
  if (missing.length > 0) {
    throw new RegisterError(missing.map((k) => `The ${k} needs to be entered: pass ${FLAG_HINTS[k] ?? `--${k}`}`).join('\n'));
  }
  const executor = String(getPath(entry, ['executor']));
  if (!(SUPPORTED_EXECUTORS as readonly string[]).includes(executor)) {
    throw new RegisterError(`Invalid executor specified: "${executor}"; drydock runs ${listOf(SUPPORTED_EXECUTORS)}`);
  }
}

function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new RegisterError(`--url ${url}: expected an http(s) URL such as https://gitlab.example.com/`);
  }
}

/** The existing file must be valid before anything is registered; returns its `concurrent`. */
async function checkConfigFile(path: string, signal: AbortSignal): Promise<number> {
  const text = await readText(path, signal);
  if (text === undefined || text.trim() === '') return 1;
  const { config, errors } = parseRunnerConfig(text, path);
  if (!config) throw new RunnerConfigError(errors);
  return config.concurrent;
}

async function readText(path: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ABORT_ERR') throw err;
    throw new RunnerConfigError([{ file: path, line: 0, column: 0, path: [], message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
}
