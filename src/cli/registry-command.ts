// `drydock registry ...`:
//   serve [--mirror-upstream URL] [--port N] [--host H] [--data DIR]   a standalone registry, or (B2)
//         a pull-through mirror of an upstream registry for dockerd's --registry-mirror
//   ls PROJECT | tags PROJECT[/PATH] | rm PROJECT[/PATH][:TAG]   GitLab's container registry REST API of a server
//   gc --data DIR [--dry-run] [--delete-untagged] [--grace-minutes N]   collects unreferenced blobs of a registry store
// Exit codes: 0 ok, 1 failure (server said no, cannot reach it), 2 bad usage.
import os from 'node:os';
import path from 'node:path';
import { allowAll, collectGarbage, createFsStorage, createRegistryServer, PullThroughCache } from '../registry/index.js';
import { tuneHeapForServer } from '../shared/heap-tuning.js';
import type { CommandRegistrar } from './command-registrar.js';

class UsageError extends Error {}

interface ClientFlags { url?: string; token?: string }
interface ServeFlags { port: string; host: string; data: string; mirrorUpstream?: string; upstreamUsername?: string; upstreamPassword?: string }

const defaultData = (): string => path.join(process.env.DRYDOCK_DATA ?? path.join(os.homedir(), '.drydock', 'server'), 'registry');

function client(flags: ClientFlags): { url: string; token: string } {
  const url = (flags.url ?? process.env.DRYDOCK_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = flags.token ?? process.env.DRYDOCK_TOKEN;
  if (!token) throw new UsageError('no token: pass --token or set DRYDOCK_TOKEN (a personal access token)');
  return { url, token };
}

async function api(flags: ClientFlags, method: string, route: string): Promise<{ status: number; json: unknown }> {
  const { url, token } = client(flags);
  let res: Response;
  try {
    res = await fetch(`${url}/api/v4${route}`, { method, headers: { 'PRIVATE-TOKEN': token }, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  if (res.status >= 400) throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
  return { status: res.status, json };
}

interface RepoEntity { id: number; path: string; location: string; tags_count?: number }

/** PROJECT/extra/path[:tag] → the repository entity of that path in the project owning it. */
async function findRepository(flags: ClientFlags, reference: string): Promise<{ repo: RepoEntity; projectPath: string; tag?: string }> {
  const colon = reference.lastIndexOf(':');
  const repoPath = colon > 0 ? reference.slice(0, colon) : reference;
  const tag = colon > 0 ? reference.slice(colon + 1) : undefined;
  const parts = repoPath.split('/');
  for (let n = parts.length; n >= 2; n--) {
    const projectPath = parts.slice(0, n).join('/');
    const res = await api(flags, 'GET', `/projects/${encodeURIComponent(projectPath)}/registry/repositories?per_page=100`).catch(() => undefined);
    if (!res) continue;
    const repo = (res.json as RepoEntity[]).find((r) => r.path === repoPath.toLowerCase());
    if (!repo) throw new Error(`no registry repository ${repoPath} in project ${projectPath}`);
    return tag === undefined ? { repo, projectPath } : { repo, projectPath, tag };
  }
  throw new UsageError(`${reference}: no project found for this path (expected GROUP/PROJECT[/IMAGE][:TAG])`);
}

async function serve(flags: ServeFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${flags.port}: expected a port number 0-65535`);
  if (flags.mirrorUpstream !== undefined && !/^https?:\/\/[^/]+/.test(flags.mirrorUpstream)) throw new UsageError(`--mirror-upstream ${flags.mirrorUpstream}: expected an http:// or https:// URL`);
  const storage = await createFsStorage(flags.data);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const pullThrough = flags.mirrorUpstream
    ? new PullThroughCache(storage, { url: flags.mirrorUpstream, ...(flags.upstreamUsername !== undefined && { username: flags.upstreamUsername, password: flags.upstreamPassword ?? process.env.DRYDOCK_UPSTREAM_PASSWORD ?? '' }) }, log)
    : undefined;
  tuneHeapForServer();
  // No auth: bind it to an address only trusted clients (job networks, dind) reach.
  const server = await createRegistryServer({ storage, auth: allowAll(), logger: { error: (m, e) => process.stderr.write(`${m}: ${String(e)}\n`) }, ...(pullThrough ? { pullThrough } : {}) });
  let bound;
  try {
    bound = await server.listen({ host: flags.host, port });
  } catch (err) {
    process.stderr.write(`drydock registry serve: cannot listen on ${flags.host}:${port}: ${(err as Error).message}\n`);
    return 1;
  }
  log(`drydock registry listening on ${bound.url} (data: ${path.resolve(flags.data)}${flags.mirrorUpstream ? `, pull-through mirror of ${flags.mirrorUpstream}` : ''})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

const register: CommandRegistrar = (program, setExitCode) => {
  const wrap = <A extends unknown[]>(name: string, fn: (...args: A) => Promise<number>) => async (...args: A) => {
    try {
      setExitCode(await fn(...args));
    } catch (err) {
      process.stderr.write(`drydock registry ${name}: ${(err as Error).message}\n`);
      setExitCode(err instanceof UsageError ? 2 : 1);
    }
  };
  const registry = program.command('registry').description('container registry: serve one or a pull-through mirror, list and delete images, collect garbage');
  const withClient = (cmd: ReturnType<typeof registry.command>) => cmd
    .option('--url <url>', 'server URL (default: $DRYDOCK_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'personal access token (default: $DRYDOCK_TOKEN)');

  registry.command('serve').description('serve a standalone registry (no auth), or with --mirror-upstream a pull-through mirror for dockerd --registry-mirror')
    .option('--port <n>', 'TCP port (0 = any free port)', '5000')
    .option('--host <address>', 'address to listen on (reachable by dind services, e.g. 172.17.0.1 or 0.0.0.0)', '127.0.0.1')
    .option('--data <dir>', 'storage directory', defaultData())
    .option('--mirror-upstream <url>', 'cache pulls from this registry (e.g. https://registry-1.docker.io); pushes are refused')
    .option('--upstream-username <name>', 'upstream credentials (password from $DRYDOCK_UPSTREAM_PASSWORD or --upstream-password)')
    .option('--upstream-password <password>', 'upstream password or token')
    .action(wrap('serve', serve));

  withClient(registry.command('ls').description('list the registry repositories of a project').argument('<project>', 'GROUP/PROJECT'))
    .action(wrap('ls', async (project: string, flags: ClientFlags) => {
      const res = await api(flags, 'GET', `/projects/${encodeURIComponent(project)}/registry/repositories?tags_count=true&per_page=100`);
      for (const r of res.json as RepoEntity[]) process.stdout.write(`${r.id}\t${r.location}\t${r.tags_count ?? 0} tag(s)\n`);
      return 0;
    }));

  withClient(registry.command('tags').description('list the tags of a registry repository').argument('<repository>', 'GROUP/PROJECT[/IMAGE]'))
    .action(wrap('tags', async (reference: string, flags: ClientFlags) => {
      const { repo, projectPath } = await findRepository(flags, reference);
      const res = await api(flags, 'GET', `/projects/${encodeURIComponent(projectPath)}/registry/repositories/${repo.id}/tags?per_page=100`);
      for (const t of res.json as Array<{ name: string; location: string }>) process.stdout.write(`${t.name}\t${t.location}\n`);
      return 0;
    }));

  withClient(registry.command('rm').description('delete a tag (REPOSITORY:TAG) or a whole repository').argument('<reference>', 'GROUP/PROJECT[/IMAGE][:TAG]'))
    .action(wrap('rm', async (reference: string, flags: ClientFlags) => {
      const { repo, projectPath, tag } = await findRepository(flags, reference);
      const base = `/projects/${encodeURIComponent(projectPath)}/registry/repositories/${repo.id}`;
      await api(flags, 'DELETE', tag === undefined ? base : `${base}/tags/${encodeURIComponent(tag)}`);
      process.stdout.write(`deleted ${tag === undefined ? repo.path : `${repo.path}:${tag}`} (run \`drydock registry gc\` to free the space)\n`);
      return 0;
    }));

  registry.command('gc').description('delete blobs no manifest references (safe while the registry serves; see --grace-minutes)')
    .option('--data <dir>', 'registry storage directory (a server keeps it in <data>/registry)', defaultData())
    .option('--dry-run', 'only report what would be deleted')
    .option('--delete-untagged', 'also delete manifests no tag reaches (e.g. after `registry rm REPO:TAG`), freeing blobs only they needed')
    .option('--grace-minutes <n>', 'keep blobs written more recently than this', '60')
    .action(wrap('gc', async (flags: { data: string; dryRun?: boolean; deleteUntagged?: boolean; graceMinutes: string }) => {
      const grace = Number(flags.graceMinutes);
      if (!Number.isFinite(grace) || grace < 0) throw new UsageError(`--grace-minutes ${flags.graceMinutes}: expected minutes >= 0`);
      const report = await collectGarbage(await createFsStorage(flags.data), {
        signal: AbortSignal.timeout(6 * 3600_000), dryRun: flags.dryRun === true, deleteUntagged: flags.deleteUntagged === true, gracePeriodMs: grace * 60_000,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      const untagged = flags.deleteUntagged ? `${report.dryRun ? 'would delete' : 'deleted'} ${report.deletedManifests.length} untagged manifest(s); ` : '';
      process.stdout.write(`${untagged}${report.dryRun ? 'would free' : 'freed'} ${report.freedBytes} bytes in ${report.deleted.length} blob(s); ${report.manifests} manifest(s) in ${report.repositories} repositories kept ${report.markedBlobs} blob(s)\n`);
      return 0;
    }));
};

export default register;
