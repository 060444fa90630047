// `drydock runner verify | unregister | list`: what gitlab-runner's commands of the same names do with
// config.toml and the server. An entry leaves config.toml only once the server said it is gone
// (deleted now, or already unknown: 403/404); a network failure leaves the file alone.
import { readFile } from 'node:fs/promises';
import { RunnerConfigError } from '../config/config-error.js';
import { parseRunnerConfig } from '../config/load-runner-config.js';
import type { RunnerConfigFile, RunnerEntry } from '../config/schema.js';
import { removeRunner, saveRunnerConfig } from '../config/write-runner-config.js';
import type { RegistrationApi } from './register-runner.js';
import { RegisterError } from './register-runner.js';
import { shortToken } from './short-token.js';

export interface ManageContext {
  api(url: string): RegistrationApi;
  out(line: string): void;
  warn(line: string): void;
  systemId(): Promise<string>;
  signal: AbortSignal;
}

/** Something the runner API reported with an HTTP status (RunnerApiError has `status`). */
function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof (err as { status: unknown }).status === 'number'
    ? (err as { status: number }).status
    : undefined;
}

const isGone = (err: unknown): boolean => statusOf(err) === 403 || statusOf(err) === 404;

async function loadText(path: string, signal: AbortSignal): Promise<{ text: string; config: RunnerConfigFile }> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RunnerConfigError([{ file: path, line: 0, column: 0, path: [], message: `config file not found: ${path} (register a runner first, or pass --config with the right path)` }]);
    }
    throw err;
  }
  const { config, errors } = parseRunnerConfig(text, path);
  if (!config) throw new RunnerConfigError(errors);
  return { text, config };
}

const label = (r: RunnerEntry): string => r.name || `runner=${shortToken(r.token)}`;
const pad = (s: string): string => s.padEnd(50);

// ---- list ------------------------------------------------------------------------------------

/** `name  Executor=docker Token=<short> URL=<url>` per entry; the token is shortened, never printed whole. */
export async function listRunners(configPath: string, ctx: Pick<ManageContext, 'out' | 'signal'>): Promise<number> {
  const { config } = await loadText(configPath, ctx.signal);
  ctx.out(`${pad('Listing configured runners')} ConfigFile=${configPath}`);
  for (const r of config.runners) {
    ctx.out(`${pad(r.name)} Executor=${r.executor} Token=${r.token ? `${shortToken(r.token)}...` : '(none)'} URL=${r.url}`);
  }
  return 0;
}

// ---- verify ----------------------------------------------------------------------------------

export interface VerifyOptions {
  name?: string;
  url?: string;
  token?: string;
  /** Remove entries the server no longer knows. */
  delete: boolean;
}

export async function verifyRunners(configPath: string, opts: VerifyOptions, ctx: ManageContext): Promise<number> {
  const { text, config } = await loadText(configPath, ctx.signal);
  const filtering = opts.name !== undefined || opts.url !== undefined || opts.token !== undefined;
  const selected = config.runners
    .map((r, index) => ({ r, index }))
    .filter(({ r }) => !filtering || (opts.name !== undefined && r.name === opts.name)
      || ((opts.url !== undefined || opts.token !== undefined) && (opts.url === undefined || sameUrl(r.url, opts.url)) && (opts.token === undefined || r.token === opts.token)));
  if (filtering && selected.length === 0) throw new RegisterError('No runner matches the filtering parameters (--name, --url, --token)');
  if (selected.length === 0) {
    ctx.out(`No runners in ${configPath}`);
    return 0;
  }

  const removed = new Set<number>();
  let failed = 0;
  const systemId = await ctx.systemId();
  for (const { r, index } of selected) {
    const who = `runner=${shortToken(r.token)}`;
    if (!r.url || !r.token) {
      ctx.warn(`${pad('Verifying runner... failed')} ${who} (${label(r)} has no url or token in ${configPath})`);
      failed++;
      continue;
    }
    try {
      await ctx.api(r.url).verifyRunner(r.token, ctx.signal, { systemId });
      ctx.out(`${pad('Verifying runner... is valid')} ${who}`);
    } catch (err) {
      if (statusOf(err) === 403) {
        ctx.warn(`${pad('ERROR: Verifying runner... is removed')} ${who}`);
        removed.add(index);
      } else {
        ctx.warn(`${pad('ERROR: Verifying runner... failed')} ${who}: ${(err as Error).message}`);
        failed++;
      }
    }
  }
  if (removed.size > 0) {
    if (!opts.delete) {
      ctx.warn(`Failed to verify runners: ${removed.size} no longer known to the server; run again with --delete to remove them from ${configPath}`);
      return 1;
    }
    const edited = removeRunner(text, (_, i) => removed.has(i), configPath);
    await saveRunnerConfig(configPath, await reapply(configPath, text, edited, ctx.signal), { signal: ctx.signal });
    ctx.out(`Updated ${configPath}`);
  }
  return failed > 0 ? 1 : 0;
}

// ---- unregister ------------------------------------------------------------------------------

export interface UnregisterOptions {
  name?: string;
  url?: string;
  token?: string;
  allRunners: boolean;
}

export async function unregisterRunners(configPath: string, opts: UnregisterOptions, ctx: ManageContext): Promise<number> {
  const { text, config } = await loadText(configPath, ctx.signal);
  let targets: Array<{ url: string; token: string; name: string }>;
  if (opts.allRunners) {
    targets = config.runners.map((r) => ({ url: r.url, token: r.token, name: label(r) }));
    if (targets.length === 0) ctx.out(`No runners in ${configPath}`);
  } else if (opts.name !== undefined) {
    const r = config.runners.find((x) => x.name === opts.name);
    if (!r) throw new RegisterError(`no runner named "${opts.name}" in ${configPath} (see: drydock runner list)`);
    targets = [{ url: r.url, token: r.token, name: label(r) }];
  } else if (opts.url !== undefined && opts.token !== undefined) {
    targets = [{ url: opts.url, token: opts.token, name: `runner=${shortToken(opts.token)}` }];
  } else {
    throw new RegisterError('say which runner to unregister: --name NAME, --url URL --token TOKEN, or --all-runners');
  }

  const gone: Array<{ url: string; token: string }> = [];
  let failed = 0;
  const systemId = await ctx.systemId();
  for (const t of targets) {
    const who = `runner=${shortToken(t.token)}`;
    if (!t.url || !t.token) {
      ctx.warn(`Failed to unregister ${t.name}: it has no url or token in ${configPath}`);
      failed++;
      continue;
    }
    try {
      const api = ctx.api(t.url);
      // A runner created on the server (glrt-) outlives this machine: only its manager goes.
      if (t.token.startsWith('glrt-')) await api.unregisterRunnerManager(t.token, systemId, ctx.signal);
      else await api.unregisterRunner(t.token, ctx.signal);
      ctx.out(`${pad('Unregistering runner from GitLab succeeded')} ${who}`);
      gone.push(t);
    } catch (err) {
      if (isGone(err)) {
        ctx.warn(`${pad('Runner is already unknown to the server')} ${who}: removing it from ${configPath}`);
        gone.push(t);
      } else {
        ctx.warn(`Failed to unregister ${t.name}: ${(err as Error).message}`);
        failed++;
      }
    }
  }
  if (gone.length > 0) {
    const edited = removeRunner(text, (r) => gone.some((g) => r.token === g.token && sameUrl(r.url, g.url)), configPath);
    if (edited !== text) {
      await saveRunnerConfig(configPath, await reapply(configPath, text, edited, ctx.signal), { signal: ctx.signal });
      ctx.out(`Updated ${configPath}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, '');
  return norm(a) === norm(b);
}

/**
 * The edit was computed on the text read at the start; if the file changed meanwhile (another
 * register, a `run` reload), refuse rather than overwrite someone else's change.
 */
async function reapply(path: string, original: string, edited: string, signal: AbortSignal): Promise<string> {
  const now = await readFile(path, { encoding: 'utf8', signal });
  if (now !== original) throw new RegisterError(`${path} changed while this command ran; run it again`);
  return edited;
}
