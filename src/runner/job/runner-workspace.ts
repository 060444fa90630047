// The JobWorkspace of `drydock runner run`: sources from git_info.repo_url (job token inside),
// caches as zip archives through a CacheTransport, artifacts downloaded from and uploaded to the
// coordinator (runner facts §2.4, server facts §1.10). All on the host side of the project dir.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ResolvedVariable } from '../../executor/executor.js';
import type { JobPayload, PayloadArtifact, PayloadCache } from '../../protocol/index.js';
import type { JobWorkspace } from '../../runtime/types.js';
import { resolvePaths } from '../../runtime/workspace/path-globs.js';
import { untrackedFiles, whenMatches } from '../../runtime/workspace/untracked-files.js';
import { createZip, extractZip } from '../../runtime/workspace/zip-archive.js';
import type { LogSink } from '../../shared/log-sink.js';
import type { CacheTransport } from '../cache/cache-transport.js';
import type { RunnerApiClient } from '../network/runner-api-client.js';
import { RunnerApiError } from '../network/runner-api-error.js';
import { fetchSources } from './fetch-sources.js';
import type { ExpandValue } from './runner-job-variables.js';
import { lastValue } from '../../shared/variable-lookup.js';

const YELLOW = '\x1b[0;33m';
const GREEN = '\x1b[32;1m';
const RESET = '\x1b[0;m';

export interface RunnerWorkspaceOptions {
  payload: JobPayload;
  variables: readonly ResolvedVariable[];
  hostProjectDir: string;
  /** Scratch space for archives (removed by the caller). */
  hostTmpDir: string;
  /** git_info.repo_url, or the [[runners]] clone_url rewrite of it. */
  repoUrl: string;
  client: RunnerApiClient;
  cache: CacheTransport;
  expand: ExpandValue;
}

/** An error with the failure_reason GitLab should record (read by the runtime's classifier). */
class WorkspaceError extends Error {
  constructor(message: string, readonly failureReason: string) {
    super(message);
  }
}

export class RunnerWorkspace implements JobWorkspace {
  private readonly lookup: (name: string) => string | undefined;

  constructor(private readonly o: RunnerWorkspaceOptions) {
    const vars = new Map(o.variables.map((v) => [v.key, v.value]));
    this.lookup = (name) => vars.get(name);
  }

  private expand(text: string): string {
    return this.o.expand(text, this.lookup);
  }

  private variable(key: string): string {
    return lastValue(this.o.variables, key) ?? '';
  }

  async getSources(sink: LogSink, signal: AbortSignal): Promise<void> {
    const git = this.o.payload.git_info;
    const depthVar = this.variable('GIT_DEPTH');
    const depth = depthVar !== '' && /^\d+$/.test(depthVar) ? Number(depthVar) : git.depth;
    await fetchSources({
      targetDir: this.o.hostProjectDir, repoUrl: this.o.repoUrl, sha: git.sha, refName: git.ref, refspecs: git.refspecs, depth,
      strategy: this.variable('GIT_STRATEGY'), allowFetch: this.o.payload.allow_git_fetch,
      checkout: this.variable('GIT_CHECKOUT') !== 'false', cleanFlags: this.variable('GIT_CLEAN_FLAGS'),
      fetchExtraFlags: this.variable('GIT_FETCH_EXTRA_FLAGS'), submoduleStrategy: this.variable('GIT_SUBMODULE_STRATEGY'),
      log: (line) => sink.write(`${line}\n`), signal,
    });
  }

  async restoreCache(sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const cache of this.o.payload.cache ?? []) {
      if (cache.policy === 'push') continue;
      const key = this.cacheKey(cache.key, sink);
      if (key === undefined) continue;
      const fallbacks = [...cache.fallback_keys, this.variable('CACHE_FALLBACK_KEY')].map((k) => this.expand(k)).filter((k) => k !== '' && safeKey(k));
      sink.write(`Checking cache for ${key}...\n`);
      await mkdir(this.o.hostTmpDir, { recursive: true });
      const archive = path.join(this.o.hostTmpDir, 'cache-restore.zip');
      let found: string | undefined;
      for (const k of [key, ...fallbacks]) {
        if (await this.o.cache.fetch(k, archive, signal)) { found = k; break; }
      }
      if (found === undefined) {
        sink.write(`${YELLOW}WARNING: file does not exist${RESET}\n`);
        sink.write(`Failed to extract cache\n`);
        continue;
      }
      if (found !== key) sink.write(`Using fallback cache key ${found}\n`);
      try {
        await extractZip(archive, this.o.hostProjectDir, signal);
        sink.write(`Successfully extracted cache\n`);
      } catch (err) {
        // A damaged cache is a warning in gitlab-runner, never a job failure.
        sink.write(`${YELLOW}WARNING: Failed to extract cache: ${(err as Error).message}${RESET}\n`);
      } finally {
        await rm(archive, { force: true });
      }
    }
  }

  async archiveCache(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const cache of this.o.payload.cache ?? []) {
      if (cache.policy === 'pull' || !whenMatches(cache.when, outcome)) continue;
      const key = this.cacheKey(cache.key, sink);
      if (key === undefined) continue;
      sink.write(`Creating cache ${key}...\n`);
      const files = await this.collect(cache, [], sink, signal);
      if (files.length === 0) {
        sink.write(`${YELLOW}WARNING: No files to cache; cache ${key} not uploaded${RESET}\n`);
        continue;
      }
      const archive = path.join(this.o.hostTmpDir, 'cache-archive.zip');
      try {
        await createZip(this.o.hostProjectDir, files, archive, signal);
        await this.o.cache.store(key, archive, signal);
        sink.write(`Created cache\n`);
      } catch (err) {
        if (signal.aborted) throw err;
        sink.write(`${YELLOW}WARNING: Failed to create cache ${key}: ${(err as Error).message}${RESET}\n`);
      } finally {
        await rm(archive, { force: true });
      }
    }
  }

  async downloadArtifacts(sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const dep of this.o.payload.dependencies ?? []) {
      if (!dep.artifacts_file) continue;
      sink.write(`Downloading artifacts for ${dep.name} (${dep.id})...\n`);
      await mkdir(this.o.hostTmpDir, { recursive: true });
      const archive = path.join(this.o.hostTmpDir, `artifacts-${dep.id}.zip`);
      try {
        await this.o.client.downloadArtifacts(dep.id, dep.token, archive, signal);
        const stats = await extractZip(archive, this.o.hostProjectDir, signal);
        sink.write(`Downloading artifacts from coordinator... ok        id=${dep.id} responseStatus=200 OK files=${stats.files}\n`);
      } catch (err) {
        if (signal.aborted) throw err;
        const missing = err instanceof RunnerApiError && err.status === 404;
        throw new WorkspaceError(`downloading artifacts of ${dep.name}: ${(err as Error).message}`, missing ? 'missing_dependency_failure' : 'runner_system_failure');
      } finally {
        await rm(archive, { force: true });
      }
    }
  }

  async uploadArtifacts(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const entry of this.o.payload.artifacts ?? []) {
      if (!whenMatches(entry.when, outcome)) continue;
      if (entry.artifact_type === 'archive') await this.uploadArchive(entry, sink, signal);
      else await this.uploadReport(entry, sink, signal);
    }
  }

  private async uploadArchive(entry: PayloadArtifact, sink: LogSink, signal: AbortSignal): Promise<void> {
    sink.write(`Uploading artifacts...\n`);
    const files = await this.collect(entry, entry.exclude ?? [], sink, signal);
    if (files.length === 0) {
      sink.write(`${YELLOW}ERROR: No files to upload${RESET}\n`);
      return;
    }
    const archive = path.join(this.o.hostTmpDir, 'artifacts.zip');
    try {
      await createZip(this.o.hostProjectDir, files, archive, signal);
      await this.o.client.uploadArtifacts(this.o.payload.id, this.o.payload.token, {
        filePath: archive, filename: `${this.expand(entry.name ?? 'artifacts') || 'artifacts'}.zip`, artifactType: 'archive', artifactFormat: 'zip',
        ...(entry.expire_in ? { expireIn: entry.expire_in } : {}),
      }, signal);
      sink.write(`Uploading artifacts as "archive" to coordinator... ${GREEN}201 Created${RESET}  id=${this.o.payload.id} responseStatus=201 Created\n`);
    } finally {
      await rm(archive, { force: true });
    }
  }

  private async uploadReport(entry: PayloadArtifact, sink: LogSink, signal: AbortSignal): Promise<void> {
    const type = entry.artifact_type;
    const report = await resolvePaths(this.o.hostProjectDir, entry.paths.map((p) => this.expand(p)));
    for (const m of report.messages) sink.write(m.startsWith('WARNING') ? `${YELLOW}${m}${RESET}\n` : `${m}\n`);
    const files = report.files.filter((f) => !f.endsWith('/'));
    if (files.length === 0) return;
    sink.write(`Uploading artifacts...\n`);
    const format = entry.artifact_format;
    const ext = format === 'gzip' ? '.gz' : format === 'zip' ? '.zip' : '';
    const file = path.join(this.o.hostTmpDir, `report-${type}${ext}`);
    const first = files[0] ?? '';
    try {
      if (format === 'zip') await createZip(this.o.hostProjectDir, files, file, signal);
      else if (format === 'gzip') await gzipFiles(this.o.hostProjectDir, files, file, signal);
      else {
        if (files.length > 1) sink.write(`${YELLOW}WARNING: ${type}: only one file can be uploaded as raw; sending ${first}${RESET}\n`);
        await pipeline(createReadStream(path.join(this.o.hostProjectDir, first)), createWriteStream(file), { signal });
      }
      await this.o.client.uploadArtifacts(this.o.payload.id, this.o.payload.token, {
        filePath: file, filename: `${entry.name ?? path.basename(first)}${format === 'gzip' ? '.gz' : ''}`, artifactType: type, artifactFormat: format,
        ...(entry.expire_in ? { expireIn: entry.expire_in } : {}),
      }, signal);
      sink.write(`Uploading artifacts as "${type}" to coordinator... ${GREEN}201 Created${RESET}  id=${this.o.payload.id} responseStatus=201 Created\n`);
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Paths (and untracked files) of a cache or archive entry, with the runner's per-pattern log lines. */
  private async collect(entry: Pick<PayloadCache, 'paths' | 'untracked'>, exclude: readonly string[], sink: LogSink, signal: AbortSignal): Promise<string[]> {
    await mkdir(this.o.hostTmpDir, { recursive: true });
    const untracked = entry.untracked ? await untrackedFiles(this.o.hostProjectDir, signal) : [];
    if (entry.untracked) sink.write(`Untracked files: found ${untracked.length} files\n`);
    const report = await resolvePaths(this.o.hostProjectDir, entry.paths.map((p) => this.expand(p)), exclude.map((p) => this.expand(p)), untracked);
    for (const m of report.messages) sink.write(m.startsWith('WARNING') ? `${YELLOW}${m}${RESET}\n` : `${m}\n`);
    return report.files;
  }

  private cacheKey(raw: string, sink: LogSink): string | undefined {
    const key = this.expand(raw).trim() || 'default';
    if (safeKey(key)) return key;
    sink.write(`${YELLOW}WARNING: cache key "${key}" could not be used: it must not be absolute or contain ".."; cache skipped${RESET}\n`);
    return undefined;
  }
}

/** gitlab-runner rejects keys that escape their directory once cleaned. */
function safeKey(key: string): boolean {
  if (key.startsWith('/') || key.includes('\\')) return false;
  return !key.split('/').some((part) => part === '..');
}

/** Report files as one gzip stream (one member per file), as gitlab-runner sends gzip reports. */
async function gzipFiles(root: string, files: readonly string[], dest: string, signal: AbortSignal): Promise<void> {
  const out = createWriteStream(dest);
  for (const f of files) {
    await pipeline(createReadStream(path.join(root, f)), createGzip(), out, { signal, end: false });
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
