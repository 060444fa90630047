// Where the runner keeps cache archives between jobs: a local directory by default, or a
// distributed store ([runners.cache] Type = "s3" | "gcs" | "azure") as gitlab-runner does.
// The job side (src/runner/job) builds and extracts the archive files; a transport only moves them.

export interface CacheTransport {
  /** Human-readable place, for log lines ("local /var/cache/drydock", "s3 bucket/prefix"). */
  readonly description: string;
  /**
   * Copies the archive stored under `key` to `destFile`. Resolves false when there is none
   * (a cache miss is not an error); throws on transport errors with a message naming the store.
   */
  fetch(key: string, destFile: string, signal: AbortSignal): Promise<boolean>;
  /** Stores `srcFile` under `key`, replacing what was there atomically. */
  store(key: string, srcFile: string, signal: AbortSignal): Promise<void>;
}

/** What decides an archive's object name (gitlab-runner: runner/<short-token>/project/<id>/<key>). */
export interface CacheScope {
  /** First 8 characters of the runner token (unless `Shared = true`). */
  runnerShortToken: string;
  projectId: number;
}
