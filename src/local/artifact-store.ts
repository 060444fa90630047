// Job artifacts of local pipelines, kept as directory copies under
// .drydock/pipelines/<id>/artifacts/<job-slug>/{files/, meta.json}. A job downloads the artifacts
// of its dependencies from this pipeline, or, for a dependency that did not run in it, from the
// latest earlier pipeline whose artifacts have not expired (so `drydock run deploy` can reuse a build).
// Report artifacts (junit, coverage_report, ...) are kept beside them in reports/<type>/.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyRelative, listTree } from './file-tree.js';
import type { StateDir } from './state-dir.js';

export interface ArtifactMeta {
  job: string;
  pipelineId: number;
  name: string;
  when: string;
  expireIn?: string;
  /** ISO time after which the artifacts are expired; absent = never. */
  expiresAt?: string;
  createdAt: string;
  fileCount: number;
  /** Variables from `artifacts:reports:dotenv`. */
  dotenv: Array<{ key: string; value: string }>;
  /** Other `artifacts:reports` (junit, coverage_report, ...): kept under reports/<type>/, never passed to later jobs. */
  reports?: Array<{ type: string; files: string[] }>;
}

export interface FoundArtifacts {
  meta: ArtifactMeta;
  filesDir: string;
}

export class ArtifactStore {
  constructor(private readonly state: StateDir, private readonly pipelineId: number) {}

  /** Stores `files` (relative to projectDir) for this pipeline's job, replacing an earlier attempt's. */
  async save(meta: Omit<ArtifactMeta, 'pipelineId' | 'fileCount' | 'createdAt'>, projectDir: string, files: readonly string[], signal: AbortSignal): Promise<ArtifactMeta> {
    const dir = this.state.artifactsDir(this.pipelineId, meta.job);
    const staging = `${dir}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.join(staging, 'files'), { recursive: true });
    await copyRelative(projectDir, path.join(staging, 'files'), files, signal);
    for (const r of meta.reports ?? []) await copyRelative(projectDir, path.join(staging, 'reports', r.type), r.files, signal);
    const full: ArtifactMeta = { ...meta, pipelineId: this.pipelineId, fileCount: files.length, createdAt: new Date().toISOString() };
    await writeFile(path.join(staging, 'meta.json'), `${JSON.stringify(full, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return full;
  }

  /**
   * This pipeline's artifacts of `job`; for a job that does not run in this pipeline
   * (`ranHere` false), the newest unexpired ones from an earlier pipeline.
   */
  async find(job: string, ranHere: boolean, now = new Date()): Promise<FoundArtifacts | undefined> {
    const own = await this.read(this.pipelineId, job);
    if (own !== undefined || ranHere) return own;
    const ids = await readdir(path.join(this.state.root, 'pipelines')).catch(() => [] as string[]);
    const earlier = ids.map(Number).filter((n) => Number.isInteger(n) && n < this.pipelineId).sort((a, b) => b - a);
    for (const id of earlier) {
      const found = await this.read(id, job);
      if (found === undefined) continue;
      if (found.meta.expiresAt !== undefined && new Date(found.meta.expiresAt) <= now) continue;
      return found;
    }
    return undefined;
  }

  async extract(found: FoundArtifacts, projectDir: string, signal: AbortSignal): Promise<void> {
    await copyRelative(found.filesDir, projectDir, await listTree(found.filesDir), signal);
  }

  private async read(pipelineId: number, job: string): Promise<FoundArtifacts | undefined> {
    const dir = this.state.artifactsDir(pipelineId, job);
    const text = await readFile(path.join(dir, 'meta.json'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return { meta: JSON.parse(text) as ArtifactMeta, filesDir: path.join(dir, 'files') };
    } catch {
      return undefined;
    }
  }
}
