// What every service needs, built once by app.ts (constructor injection, no module state).
import type { GitRepos } from '../git/git-repos.js';
import type { PipelineRecord, Store } from '../store/store.js';
import type { JobTimers } from './job-timers.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { QueueNotifier } from './queue-notifier.js';
import type { ServerEvents } from './server-events.js';

/** The pino-compatible subset of a logger the services use. */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ServerContext {
  store: Store;
  repos: GitRepos;
  queue: QueueNotifier;
  locks: KeyedMutex;
  /** Trace and pipeline change notifications for live streams. */
  events: ServerEvents;
  /** Wake-ups of delayed jobs at their scheduled_at. */
  timers: JobTimers;
  log: ServerLogger;
  /** Base URL people and runners use, without a trailing slash (CI_SERVER_URL). */
  externalUrl: string;
  /** Default job timeout (project setting), seconds. */
  defaultTimeoutSeconds: number;
  /** Signal that fires when the server shuts down. */
  signal: AbortSignal;
  /** host[:port] of the built-in registry as jobs see it (CI_REGISTRY); null when it is off. */
  registryHost?: () => string | null;
  /** Child pipelines of trigger jobs (downstream-pipeline.ts, given by app.ts). */
  downstream: DownstreamPipelines;
}

/**
 * What pipeline processing asks of downstream pipelines. Passed in rather than imported: creating a
 * child pipeline processes it, so the processor cannot import pipeline creation. Each returns the
 * parent pipeline's id when a trigger job changed (to be processed again).
 */
export interface DownstreamPipelines {
  /** A trigger job was set running: create its child pipeline. */
  start(bridgeId: number): Promise<number | undefined>;
  /** A child pipeline finished: a `strategy: depend` trigger job takes its status. */
  finished(child: PipelineRecord): Promise<number | undefined>;
}
