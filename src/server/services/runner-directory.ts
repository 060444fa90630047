// Runners as people manage them (GET/PUT/DELETE /runners/:id): listing, settings edits, and the
// status GitLab derives from contacted_at (server facts §1.5; Ci::Runner#deprecated_rest_status).
import type { RunnerChange, RunnerRecord } from '../store/store.js';
import type { ServerContext } from './server-context.js';

/** What PUT /runners/:id may change (the Store's own type). */
export type { RunnerChange } from '../store/store.js';

export type RunnerStatus = 'online' | 'offline' | 'never_contacted' | 'stale' | 'paused';

/** GitLab: online = contacted within 2 hours; stale = created and last contact over 7 days ago. */
export const ONLINE_CONTACT_MS = 2 * 3600_000;
export const STALE_MS = 7 * 24 * 3600_000;

export function isOnline(r: RunnerRecord, now: number): boolean {
  return r.contactedAt !== null && Date.parse(r.contactedAt) > now - ONLINE_CONTACT_MS;
}

export function isStale(r: RunnerRecord, now: number): boolean {
  const last = Math.max(Date.parse(r.createdAt), r.contactedAt ? Date.parse(r.contactedAt) : 0);
  return last <= now - STALE_MS;
}

/** Ci::Runner#status: stale, never_contacted, online or offline. */
export function runnerStatus(r: RunnerRecord, now: number): Exclude<RunnerStatus, 'paused'> {
  if (isStale(r, now)) return 'stale';
  if (r.contactedAt === null) return 'never_contacted';
  return isOnline(r, now) ? 'online' : 'offline';
}

/** The `status` field of REST v4 runner JSON (deprecated_rest_status): as runnerStatus, but `paused` wins over online/offline. */
export function restRunnerStatus(r: RunnerRecord, now: number): RunnerStatus {
  const s = runnerStatus(r, now);
  return (s === 'online' || s === 'offline') && r.paused ? 'paused' : s;
}

/** Whether `r` is in the scope/status filter value (active, paused, online, offline, never_contacted, stale). */
export function hasStatus(r: RunnerRecord, status: string, now: number): boolean {
  switch (status) {
    case 'active': return !r.paused;
    case 'paused': return r.paused;
    case 'online': return isOnline(r, now);
    case 'offline': return r.contactedAt !== null && !isOnline(r, now);
    case 'never_contacted': return r.contactedAt === null;
    case 'stale': return isStale(r, now);
    default: return false;
  }
}

/** Applies `change`; returns the updated runner (undefined when it does not exist). */
export async function updateRunner(ctx: ServerContext, id: number, change: RunnerChange): Promise<RunnerRecord | undefined> {
  const updated = await ctx.store.updateRunner(id, change);
  // Unpausing or new tags may let this runner take jobs it skipped: wake the long polls.
  if (updated) ctx.queue.tick();
  return updated;
}
