// `drydock server`: the coordinator (GitLab v4 runner API, git hosting, REST for people) on one port.
// `drydock project create GROUP/NAME`: creates a project on a running server through its REST API.
// Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 on a runtime failure, 2 on bad usage.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../server/app.js';
import { CREDENTIALS_FILE } from '../server/bootstrap.js';
import { DEFAULT_STALE_LIMITS } from '../server/services/stale-jobs.js';
import { isPostgresUrl } from '../server/store/open-store.js';
import { startRegistryMirror, type RunningRegistryMirror } from '../server/services/registry-mirror.js';
import { tuneHeapForServer } from '../shared/heap-tuning.js';
import type { CommandRegistrar } from './command-registrar.js';

interface ServerFlags {
  data: string;
  port: string;
  host: string;
  externalUrl?: string;
  logLevel: string;
  longPoll: string;
  registry: boolean;
  registryMirrorUpstream?: string;
  registryMirrorPort: string;
  registryMirrorHost?: string;
  registryMirrorUsername?: string;
  staleJobSeconds?: string;
  database?: string;
}

interface ProjectFlags {
  url?: string;
  token?: string;
  data?: string;
  visibility?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

class UsageError extends Error {}

const defaultDataDir = (): string => process.env.DRYDOCK_DATA ?? path.join(os.homedir(), '.drydock', 'server');

const register: CommandRegistrar = (program, setExitCode) => {
  program
    .command('server')
    .description('run the coordinator: runner API, git hosting over HTTP, pipelines and the REST API')
    .option('--data <dir>', 'data directory (database, repositories, initial credentials)', defaultDataDir())
    .option('--port <n>', 'TCP port to listen on (0 = any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--external-url <url>', 'URL runners and people use to reach this server (CI_SERVER_URL); default http://HOST:PORT')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--long-poll <seconds>', 'how long a runner\'s job request may wait for a job (0 = off)', '50')
    .option('--no-registry', 'do not serve the built-in container registry (/v2/ and /jwt/auth)')
    .option('--database <url>', 'keep the data in PostgreSQL (postgres://user:pass@host:5432/db) instead of SQLite in --data')
    .option('--registry-mirror-upstream <url>', 'also serve a pull-through mirror of this registry (dockerd --registry-mirror target) on its own port')
    .option('--registry-mirror-port <n>', 'port of the pull-through mirror (0 = any free port)', '5001')
    .option('--registry-mirror-host <address>', 'address the mirror listens on (default: --host)')
    .option('--registry-mirror-username <name>', 'upstream user for the mirror (password from $DRYDOCK_UPSTREAM_PASSWORD)')
    .option('--stale-job-seconds <seconds>', 'fail a running job whose runner has not reported for this long (default 3600, as GitLab)')
    .action(async (flags: ServerFlags) => {
      try {
        setExitCode(await runServer(flags));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`drydock server: ${err.message}\n`);
        setExitCode(2);
      }
    });

  const project = program.command('project').description('manage projects on a drydock server');
  project
    .command('create')
    .description('create a project (and its git repository) on a running server')
    .argument('<path>', 'GROUP/NAME of the new project')
    .option('--url <url>', 'server URL (default: $DRYDOCK_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'personal access token (default: $DRYDOCK_TOKEN or the admin token in --data)')
    .option('--data <dir>', 'server data directory to read initial-credentials.json from', undefined)
    .option('--visibility <level>', 'private, internal or public', 'private')
    .action(async (fullPath: string, flags: ProjectFlags) => {
      try {
        setExitCode(await createProject(fullPath, flags));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`drydock project create: ${err.message}\n`);
        setExitCode(2);
      }
    });
};

export default register;

async function runServer(flags: ServerFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${flags.port}: expected a port number 0-65535`);
  const longPoll = Number(flags.longPoll);
  if (!Number.isFinite(longPoll) || longPoll < 0) throw new UsageError(`--long-poll ${flags.longPoll}: expected seconds >= 0`);
  const stale = flags.staleJobSeconds === undefined ? undefined : Number(flags.staleJobSeconds);
  if (stale !== undefined && !(Number.isFinite(stale) && stale > 0)) throw new UsageError(`--stale-job-seconds ${flags.staleJobSeconds}: expected seconds > 0`);
  if (flags.database !== undefined && !isPostgresUrl(flags.database)) {
    throw new UsageError(`--database ${flags.database}: expected a postgres:// or postgresql:// URL`);
  }
  if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) {
    throw new UsageError(`--log-level ${flags.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  if (flags.externalUrl !== undefined && !/^https?:\/\/[^/]+/.test(flags.externalUrl)) {
    throw new UsageError(`--external-url ${flags.externalUrl}: expected an http:// or https:// URL`);
  }
  const mirrorPort = Number(flags.registryMirrorPort);
  if (!Number.isInteger(mirrorPort) || mirrorPort < 0 || mirrorPort > 65535) throw new UsageError(`--registry-mirror-port ${flags.registryMirrorPort}: expected a port number 0-65535`);
  if (flags.registryMirrorUpstream !== undefined && !/^https?:\/\/[^/]+/.test(flags.registryMirrorUpstream)) {
    throw new UsageError(`--registry-mirror-upstream ${flags.registryMirrorUpstream}: expected an http:// or https:// URL, e.g. https://registry-1.docker.io`);
  }
  tuneHeapForServer();
  let server: RunningServer;
  try {
    server = await startServer({
      dataDir: flags.data, port, host: flags.host, logLevel: flags.logLevel as LogLevel, longPollSeconds: longPoll,
      ...(flags.externalUrl !== undefined && { externalUrl: flags.externalUrl }),
      ...(!flags.registry && { registry: { enabled: false } }),
      ...(flags.database !== undefined && { databaseUrl: flags.database }),
      ...(stale !== undefined && { staleLimits: { ...DEFAULT_STALE_LIMITS, noUpdateSeconds: stale } }),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${port} on ${flags.host} is already in use (pick another with --port)`
      : code === 'EACCES' ? `not allowed to listen on ${flags.host}:${port}` : (err as Error).message;
    process.stderr.write(`drydock server: cannot start: ${why}\n`);
    return 1;
  }
  process.stdout.write(`drydock server listening on ${server.url} (data: ${path.resolve(flags.data)})\n`);
  let mirror: RunningRegistryMirror | undefined;
  if (flags.registryMirrorUpstream !== undefined) {
    const mirrorHost = flags.registryMirrorHost ?? flags.host;
    try {
      mirror = await startRegistryMirror({
        dataDir: flags.data, host: mirrorHost, port: mirrorPort, upstream: flags.registryMirrorUpstream,
        ...(flags.registryMirrorUsername !== undefined ? { upstreamUsername: flags.registryMirrorUsername, upstreamPassword: process.env.DRYDOCK_UPSTREAM_PASSWORD ?? '' } : {}),
        log: (line) => process.stdout.write(`${line}\n`),
      });
    } catch (err) {
      process.stderr.write(`drydock server: cannot start the registry mirror on ${mirrorHost}:${mirrorPort}: ${(err as Error).message}\n`);
      await server.close();
      return 1;
    }
    process.stdout.write(`drydock registry mirror listening on ${mirror.url} (pull-through mirror of ${flags.registryMirrorUpstream}; use it as [runners.docker] registry_mirror)\n`);
  }
  if (server.credentials) {
    process.stdout.write([
      'First start: created the administrator and the runner registration token (shown once; also in',
      `${path.join(path.resolve(flags.data), CREDENTIALS_FILE)}, mode 0600):`,
      `  admin user:                ${server.credentials.admin_username}`,
      `  admin personal token:      ${server.credentials.admin_token}`,
      `  runner registration token: ${server.credentials.runner_registration_token}`,
      '',
    ].join('\n'));
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('drydock server: shutting down\n');
  await mirror?.close();
  await server.close();
  return 0;
}

async function createProject(fullPath: string, flags: ProjectFlags): Promise<number> {
  const slash = fullPath.lastIndexOf('/');
  if (slash <= 0 || slash === fullPath.length - 1) throw new UsageError(`${fullPath}: expected GROUP/NAME, e.g. mygroup/myapp`);
  const url = (flags.url ?? process.env.DRYDOCK_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = flags.token ?? process.env.DRYDOCK_TOKEN ?? (await tokenFromData(flags.data ?? defaultDataDir()));
  if (!token) throw new UsageError('no token: pass --token, set DRYDOCK_TOKEN, or point --data at the server\'s data directory');
  let res: Response;
  try {
    res = await fetch(`${url}/api/v4/projects`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: fullPath.slice(slash + 1), namespace: fullPath.slice(0, slash), visibility: flags.visibility }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    process.stderr.write(`drydock project create: cannot reach ${url}: ${(err as Error).message}\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as { http_url_to_repo?: string; message?: unknown; error?: unknown };
  if (res.status !== 201) {
    process.stderr.write(`drydock project create: ${url} answered ${res.status}: ${JSON.stringify(body.message ?? body.error ?? body)}\n`);
    return 1;
  }
  process.stdout.write(`created ${fullPath}\n  git remote add origin ${body.http_url_to_repo ?? ''}\n`);
  return 0;
}

async function tokenFromData(dataDir: string): Promise<string | undefined> {
  const text = await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const creds = JSON.parse(text) as { admin_token?: unknown };
    return typeof creds.admin_token === 'string' ? creds.admin_token : undefined;
  } catch {
    return undefined;
  }
}
