// Runners as people manage them (GET/PUT/DELETE /runners/:id): listing, settings edits, and the
// status GitLab derives from contacted_at (server facts §1.5; Ci::Runner#deprecated_rest_status).
//
// The Store has no listRunners/updateRunner yet. Until it does (see RunnerAdminStore: when the
// store implements those methods they are used directly), edits are kept as a JSON overlay in the
// settings table (`runner_admin:<id>`) and applied wherever a runner is read for scheduling, and
// listing probes ids upward. Every read that decides which jobs a runner takes goes through here.
import type { RunnerRecord, Store } from '../store/store.js';
import type { ServerContext } from './server-context.js';

/** What PUT /runners/:id may change. */
export interface RunnerChange {
  description?: string;
  paused?: boolean;
  tags?: string[];
  runUntagged?: boolean;
  locked?: boolean;
  accessLevel?: RunnerRecord['accessLevel'];
  maximumTimeout?: number | null;
}

/** The Store methods this service would like (the lead/H7 can add them; used when present). */
export interface RunnerAdminStore {
  listRunners(): Promise<RunnerRecord[]>;
  updateRunner(id: number, change: RunnerChange): Promise<void>;
}

export type RunnerStatus = 'online' | 'offline' | 'never_contacted' | 'stale' | 'paused';

/** GitLab: online = contacted within 2 hours; stale = created and last contact over 7 days ago. */
export const ONLINE_CONTACT_MS = 2 * 3600_000;
export const STALE_MS = 7 * 24 * 3600_000;
/** Listing without Store.listRunners stops after this many missing ids in a row (deleted runners). */
const PROBE_GAP = 64;
const OVERLAY_PREFIX = 'runner_admin:';

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

export function applyChange(r: RunnerRecord, c: RunnerChange): RunnerRecord {
  return {
    ...r,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.paused !== undefined && { paused: c.paused }),
    ...(c.tags !== undefined && { tags: [...c.tags] }),
    ...(c.runUntagged !== undefined && { runUntagged: c.runUntagged }),
    ...(c.locked !== undefined && { locked: c.locked }),
    ...(c.accessLevel !== undefined && { accessLevel: c.accessLevel }),
    ...(c.maximumTimeout !== undefined && { maximumTimeout: c.maximumTimeout }),
  };
}

function native(store: Store): (Store & RunnerAdminStore) | undefined {
  const s = store as Store & Partial<RunnerAdminStore>;
  return typeof s.listRunners === 'function' && typeof s.updateRunner === 'function' ? (s as Store & RunnerAdminStore) : undefined;
}

async function overlay(ctx: ServerContext, id: number): Promise<RunnerChange | undefined> {
  const text = await ctx.store.getSetting(`${OVERLAY_PREFIX}${id}`);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as RunnerChange;
  } catch {
    return undefined;
  }
}

async function withOverlay(ctx: ServerContext, r: RunnerRecord | undefined): Promise<RunnerRecord | undefined> {
  if (!r || native(ctx.store)) return r;
  const o = await overlay(ctx, r.id);
  return o ? applyChange(r, o) : r;
}

export function runnerById(ctx: ServerContext, id: number): Promise<RunnerRecord | undefined> {
  return ctx.store.runnerById(id).then((r) => withOverlay(ctx, r));
}

export function runnerByTokenDigest(ctx: ServerContext, digest: string): Promise<RunnerRecord | undefined> {
  return ctx.store.runnerByTokenDigest(digest).then((r) => withOverlay(ctx, r));
}

/** Every runner, by id. */
export async function listRunners(ctx: ServerContext): Promise<RunnerRecord[]> {
  const n = native(ctx.store);
  if (n) return (await n.listRunners()).sort((a, b) => a.id - b.id);
  const out: RunnerRecord[] = [];
  for (let id = 1, misses = 0; misses < PROBE_GAP; id++) {
    const r = await runnerById(ctx, id);
    if (r) {
      out.push(r);
      misses = 0;
    } else {
      misses++;
    }
  }
  return out;
}

/** Applies `change`; returns the updated runner (undefined when it does not exist). */
export async function updateRunner(ctx: ServerContext, id: number, change: RunnerChange): Promise<RunnerRecord | undefined> {
  return ctx.locks.run(`runner:${id}`, async () => {
    const current = await runnerById(ctx, id);
    if (!current) return undefined;
    const n = native(ctx.store);
    if (n) {
      await n.updateRunner(id, change);
    } else {
      const merged: RunnerChange = { ...(await overlay(ctx, id)), ...change };
      await ctx.store.setSetting(`${OVERLAY_PREFIX}${id}`, JSON.stringify(merged));
    }
    // Unpausing or new tags may let this runner take jobs it skipped: wake the long polls.
    ctx.queue.tick();
    return applyChange(current, change);
  });
}

export async function deleteRunner(ctx: ServerContext, id: number): Promise<void> {
  await ctx.store.deleteRunner(id);
  if (!native(ctx.store)) await ctx.store.setSetting(`${OVERLAY_PREFIX}${id}`, '');
}
