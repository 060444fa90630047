// The JobWorkspace of `drydock run`: sources from the user's repository, caches and artifacts
// from the .drydock/ state directory, all on the host side of the job's project directory.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ResolvedVariable } from '../executor/executor.js';
import type { CacheSpec, JobSpec } from '../pipeline/spec/job-spec.js';
import type { LogSink } from '../shared/log-sink.js';
import type { JobWorkspace } from '../runtime/types.js';
import type { ArtifactStore } from './artifact-store.js';
import { fallbackKeys, protectionSuffix, resolveCacheKey } from './cache-key.js';
import type { CacheStore } from './cache-store.js';
import { parseDotenv } from '../runtime/workspace/dotenv.js';
import { parseExpireIn } from '../runtime/workspace/expire-in.js';
import { getSources } from './git-sources.js';
import { resolvePaths } from '../runtime/workspace/path-globs.js';
import { expandWith } from './runner-expand.js';

const execFileAsync = promisify(execFile);
const YELLOW = '\x1b[0;33m';
const RESET = '\x1b[0;m';

export interface LocalWorkspaceOptions {
  spec: JobSpec;
  /** The user's repository (work tree top level). */
  repoDir: string;
  /** The job's project directory on the host. */
  hostProjectDir: string;
  sha: string;
  refName: string;
  includeUncommitted: boolean;
  variables: readonly ResolvedVariable[];
  artifacts: ArtifactStore;
  caches: CacheStore;
  /** Names of the jobs in this run: artifacts of other jobs come from earlier pipelines. */
  jobsInRun: ReadonlySet<string>;
  /** Told which report types (junit, coverage_report, ...) were kept. */
  onReports?(types: string[]): void;
  /** Told the one-line JUnit summary ("3 tests, 1 failure, ..."). */
  onJunit?(line: string): void;
}

export class LocalWorkspace implements JobWorkspace {
  private readonly expand: (text: string) => string;
  private readonly vars: Map<string, string>;

  constructor(private readonly o: LocalWorkspaceOptions) {
    this.vars = new Map(o.variables.map((v) => [v.key, v.value]));
    this.expand = expandWith(this.vars);
  }

  async getSources(sink: LogSink, signal: AbortSignal): Promise<void> {
    // Unset GIT_DEPTH = full clone locally (see git-sources.ts); GitLab sends its project default (20).
    const depth = gitDepth(this.vars.get('GIT_DEPTH'), 'GIT_DEPTH') ?? 0;
    await getSources({
      repoDir: this.o.repoDir,
      targetDir: this.o.hostProjectDir,
      sha: this.o.sha,
      refName: this.o.refName,
      strategy: this.vars.get('GIT_STRATEGY') ?? '',
      cleanFlags: this.vars.get('GIT_CLEAN_FLAGS') ?? '',
      checkout: this.vars.get('GIT_CHECKOUT') !== 'false',
      depth,
      submodules: {
        strategy: submoduleStrategy(this.vars.get('GIT_SUBMODULE_STRATEGY')),
        paths: this.vars.get('GIT_SUBMODULE_PATHS') ?? '',
        depth: gitDepth(this.vars.get('GIT_SUBMODULE_DEPTH'), 'GIT_SUBMODULE_DEPTH') ?? depth,
        updateFlags: this.vars.get('GIT_SUBMODULE_UPDATE_FLAGS') ?? '',
      },
      includeUncommitted: this.o.includeUncommitted,
      log: (line) => sink.write(`${line}\n`),
      signal,
    });
  }

  async restoreCache(sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const cache of this.o.spec.cache) {
      if (cache.policy === 'push') continue;
      const key = await this.cacheKey(cache, signal);
      const keys = [key, ...fallbackKeys(cache, this.expand, this.vars.get('CACHE_FALLBACK_KEY'), this.suffix(cache))];
      sink.write(`Checking cache for ${key}...\n`);
      const found = await this.o.caches.find(keys);
      if (found === undefined) {
        sink.write(`${YELLOW}WARNING: file does not exist${RESET}\n`);
        sink.write(`Failed to extract cache\n`);
        continue;
      }
      if (found.key !== key) sink.write(`Using fallback cache key ${found.key}\n`);
      await this.o.caches.restore(found.filesDir, this.o.hostProjectDir, signal);
      sink.write(`Successfully extracted cache\n`);
    }
  }

  async downloadArtifacts(sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const dep of this.o.spec.dependencies) {
      const ranHere = this.o.jobsInRun.has(dep);
      const found = await this.o.artifacts.find(dep, ranHere);
      if (found === undefined) {
        if (!ranHere) sink.write(`${YELLOW}WARNING: ${dep} is not part of this run and no earlier run kept its artifacts${RESET}\n`);
        continue;
      }
      const from = ranHere ? '' : ` from pipeline #${found.meta.pipelineId}`;
      sink.write(`Downloading artifacts for ${dep}${from}...\n`);
      await this.o.artifacts.extract(found, this.o.hostProjectDir, signal);
      sink.write(`Downloading artifacts from coordinator... ok        ${found.meta.fileCount} file(s)\n`);
    }
  }

  async archiveCache(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void> {
    for (const cache of this.o.spec.cache) {
      if (cache.policy === 'pull') continue;
      if (!whenMatches(cache.when, outcome)) continue;
      const key = await this.cacheKey(cache, signal);
      sink.write(`Creating cache ${key}...\n`);
      const untracked = cache.untracked ? await this.untrackedFiles(signal) : [];
      const report = await resolvePaths(this.o.hostProjectDir, cache.paths.map(this.expand), [], untracked);
      for (const m of report.messages) sink.write(colorWarning(m));
      if (report.files.length === 0) {
        sink.write(`${YELLOW}WARNING: no files to cache; cache ${key} not updated${RESET}\n`);
        continue;
      }
      await this.o.caches.save(key, this.o.hostProjectDir, report.files, signal);
      sink.write(`Created cache\n`);
    }
  }

  async uploadArtifacts(outcome: 'success' | 'failed', sink: LogSink, signal: AbortSignal): Promise<void> {
    const a = this.o.spec.artifacts;
    if (a === undefined) return;
    const dotenv = await this.readDotenv(a.reports['dotenv'] ?? [], sink);
    // GitLab uploads report artifacts whatever the job's outcome (their `when` is always).
    const reports = await this.collectReports(a.reports, sink, signal);
    const wantFiles = whenMatches(a.when, outcome) && (a.paths.length > 0 || a.untracked);
    let files: string[] = [];
    if (wantFiles) {
      sink.write(`Uploading artifacts...\n`);
      const untracked = a.untracked ? await this.untrackedFiles(signal) : [];
      if (a.untracked) sink.write(`Untracked files: found ${untracked.length} files\n`);
      const report = await resolvePaths(this.o.hostProjectDir, a.paths.map(this.expand), a.exclude.map(this.expand), untracked);
      for (const m of report.messages) sink.write(colorWarning(m));
      files = report.files;
      if (files.length === 0) sink.write(`${YELLOW}ERROR: No files to upload${RESET}\n`);
    }
    if (files.length === 0 && dotenv.length === 0 && reports.length === 0) return;
    const expireMs = a.expireIn !== undefined ? parseExpireIn(a.expireIn) : undefined;
    if (expireMs === null) sink.write(`${YELLOW}WARNING: expire_in "${a.expireIn}" not understood; artifacts kept${RESET}\n`);
    const meta = await this.o.artifacts.save({
      job: this.o.spec.name,
      name: this.expand(a.name),
      when: a.when,
      ...(a.expireIn !== undefined ? { expireIn: a.expireIn } : {}),
      ...(typeof expireMs === 'number' ? { expiresAt: new Date(Date.now() + expireMs).toISOString() } : {}),
      dotenv,
      ...(reports.length > 0 ? { reports } : {}),
    }, this.o.hostProjectDir, files, signal);
    if (files.length > 0) sink.write(`Uploading artifacts as "archive"... ok        ${meta.fileCount} file(s)\n`);
    if (dotenv.length > 0) sink.write(`Uploading artifacts as "dotenv"... ok        ${dotenv.length} variable(s)\n`);
    for (const r of reports) sink.write(`Uploading artifacts as "${r.type}"... ok        ${r.files.length} file(s)\n`);
    if (reports.length > 0) await this.summarizeJunit(reports, sink);
  }

  /** The files of every report type but dotenv (which becomes variables), as globs matched in the project dir. */
  private async collectReports(byType: Record<string, string[]>, sink: LogSink, signal: AbortSignal): Promise<Array<{ type: string; files: string[] }>> {
    const out: Array<{ type: string; files: string[] }> = [];
    for (const [type, paths] of Object.entries(byType)) {
      if (type === 'dotenv' || paths.length === 0 || signal.aborted) continue;
      const report = await resolvePaths(this.o.hostProjectDir, paths.map(this.expand), [], []);
      if (report.files.length === 0) {
        sink.write(`${YELLOW}WARNING: ${paths.join(', ')}: no matching files (${type} report)${RESET}\n`);
        continue;
      }
      out.push({ type, files: report.files });
    }
    this.o.onReports?.(out.map((r) => r.type));
    return out;
  }

  /** One line with the JUnit reports' counts, for the log, the console and the summary. */
  private async summarizeJunit(reports: ReadonlyArray<{ type: string; files: string[] }>, sink: LogSink): Promise<void> {
    const junit = reports.find((r) => r.type === 'junit');
    if (junit === undefined) return;
    const { addCounts, countJunit, formatJunit } = await import('./junit-summary.js');
    let total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const f of junit.files) {
      const counts = countJunit(await readFile(path.join(this.o.hostProjectDir, f), 'utf8').catch(() => ''));
      if (counts === null) sink.write(`${YELLOW}WARNING: ${f}: not JUnit XML (no <testsuite> or <testcase>)${RESET}\n`);
      else total = addCounts(total, counts);
    }
    const line = formatJunit(total);
    this.o.onJunit?.(line);
    sink.write(`JUnit report: ${line}\n`);
  }

  private async readDotenv(paths: readonly string[], sink: LogSink): Promise<Array<{ key: string; value: string }>> {
    const out: Array<{ key: string; value: string }> = [];
    for (const p of paths.map(this.expand)) {
      const text = await readFile(path.join(this.o.hostProjectDir, p), 'utf8').catch(() => undefined);
      if (text === undefined) {
        sink.write(`${YELLOW}WARNING: ${p}: no matching files (dotenv report)${RESET}\n`);
        continue;
      }
      const { entries, problems } = parseDotenv(text);
      for (const pr of problems) sink.write(`${YELLOW}WARNING: ${p}:${pr.line}: ${pr.message}${RESET}\n`);
      out.push(...entries);
    }
    return out;
  }

  /** The stored key: the resolved `cache:key` plus GitLab's protected/non_protected suffix. */
  private async cacheKey(cache: CacheSpec, signal: AbortSignal): Promise<string> {
    return `${await resolveCacheKey(cache, this.expand, this.o.repoDir, signal)}${this.suffix(cache)}`;
  }

  /** CI_COMMIT_REF_PROTECTED: true for the default branch locally (GitLab's default), or as --protected says. */
  private suffix(cache: CacheSpec): string {
    return protectionSuffix(cache, this.vars.get('CI_COMMIT_REF_PROTECTED') === 'true');
  }

  /** Files git does not track, ignored ones included (the runner's `untracked: true`). */
  private async untrackedFiles(signal: AbortSignal): Promise<string[]> {
    const { stdout } = await execFileAsync('git', ['ls-files', '--others', '-z'], { cwd: this.o.hostProjectDir, signal, maxBuffer: 64 * 1024 * 1024 })
      .catch(() => ({ stdout: '' }));
    return stdout.split('\0').filter((s) => s !== '');
  }
}

/** A depth variable: undefined when unset or empty; an error naming it when not a whole number. */
function gitDepth(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} "${text}" is not a whole number of commits (0 = full history)`);
  return n;
}

function submoduleStrategy(text: string | undefined): 'none' | 'normal' | 'recursive' {
  const t = (text ?? '').trim();
  if (t === '' || t === 'none') return 'none';
  if (t === 'normal' || t === 'recursive') return t;
  throw new Error(`GIT_SUBMODULE_STRATEGY "${t}": use none, normal or recursive`);
}

function whenMatches(when: string, outcome: 'success' | 'failed'): boolean {
  return when === 'always' || (when === 'on_success' && outcome === 'success') || (when === 'on_failure' && outcome === 'failed');
}

function colorWarning(line: string): string {
  return line.startsWith('WARNING') ? `${YELLOW}${line}${RESET}\n` : `${line}\n`;
}
