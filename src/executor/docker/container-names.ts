// Names and labels for every Docker object a job creates. Names follow gitlab-runner's shape
// (`runner-<short>-project-<id>-concurrent-<slot>-<16 hex>-…`); the 16 hex digits come from the
// run id, so two pipelines running the same jobs at once never collide. Labels let cleanup find
// everything a run (or a crashed run) left behind.
import { createHash } from 'node:crypto';

export const LABELS = {
  managed: 'com.drydock.managed',
  runId: 'com.drydock.run-id',
  job: 'com.drydock.job',
  type: 'com.drydock.type',
  /** `<hostname>:<pid>` of the drydock process that created the object (crash detection). */
  owner: 'com.drydock.owner',
  project: 'com.drydock.project',
  service: 'com.drydock.service',
} as const;

export type ObjectType = 'build' | 'service' | 'network' | 'volume' | 'layer-cache';

export interface NamingContext {
  /** Short runner token (GitLab: first 9 characters), `local` for `drydock run`. */
  runnerShort: string;
  projectId: string;
  concurrentId: number;
  runId: string;
  jobName: string;
}

/** Lower-case; drop characters outside [-a-z0-9]; strip leading non-alphanumerics; max 63. */
export function rfc1123(text: string): string {
  return text.toLowerCase().replace(/[^-a-z0-9]/g, '').replace(/^[^a-z0-9]+/, '').slice(0, 63);
}

export function projectUniqueName(ctx: Pick<NamingContext, 'runnerShort' | 'projectId' | 'concurrentId'>): string {
  return rfc1123(`runner-${ctx.runnerShort}-project-${ctx.projectId}-concurrent-${ctx.concurrentId}`);
}

/** 16 hex digits unique to the run (GitLab uses 16 random ones). */
export function runHex(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 16);
}

function slug(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '') || 'job';
}

/** Prefix shared by the job's containers, network and volumes. */
export function jobPrefix(ctx: NamingContext): string {
  return `${projectUniqueName(ctx)}-${runHex(ctx.runId)}-${slug(ctx.jobName, 24)}`;
}

export function buildContainerName(ctx: NamingContext): string {
  return `${jobPrefix(ctx)}-build`;
}

/** `<prefix>-<service with "/"→"__">-<index>`, limited to characters Docker accepts in names. */
export function serviceContainerName(ctx: NamingContext, service: string, index: number): string {
  const safe = service.replaceAll('/', '__').replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `${jobPrefix(ctx)}-${safe}-${index}`;
}

export function networkName(ctx: NamingContext): string {
  return `${jobPrefix(ctx)}-network`;
}

export function volumeName(ctx: NamingContext, containerPath: string): string {
  return `${jobPrefix(ctx)}-cache-${createHash('md5').update(containerPath).digest('hex')}`;
}

export function objectLabels(ctx: NamingContext, type: ObjectType, owner: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.runId]: ctx.runId,
    [LABELS.job]: ctx.jobName,
    [LABELS.type]: type,
    [LABELS.owner]: owner,
    [LABELS.project]: ctx.projectId,
    ...extra,
  };
}
