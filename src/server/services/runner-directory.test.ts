import { describe, expect, it } from 'vitest';
import type { RunnerRecord } from '../store/store.js';
import { hasStatus, restRunnerStatus, runnerStatus } from './runner-directory.js';

const NOW = Date.parse('2025-06-10T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const H = 3600_000;
const D = 24 * H;
const runner = (over: Partial<RunnerRecord> = {}): RunnerRecord => ({
  id: 1, description: '', tags: [], runUntagged: true, locked: false, accessLevel: 'not_protected', paused: false,
  maximumTimeout: null, runnerType: 'instance_type', projectId: null, contactedAt: null, info: {}, createdAt: ago(D), ...over,
});

describe('runner status (GitLab Ci::Runner#status / deprecated_rest_status)', () => {
  it('is online within 2 hours of the last contact, offline after, never_contacted without one', () => {
    expect(runnerStatus(runner({ contactedAt: ago(H) }), NOW)).toBe('online');
    expect(runnerStatus(runner({ contactedAt: ago(2 * H + 1) }), NOW)).toBe('offline');
    expect(runnerStatus(runner(), NOW)).toBe('never_contacted');
  });

  it('is stale when both creation and last contact are 7 days old or more', () => {
    expect(runnerStatus(runner({ createdAt: ago(8 * D) }), NOW)).toBe('stale');
    expect(runnerStatus(runner({ createdAt: ago(8 * D), contactedAt: ago(7 * D) }), NOW)).toBe('stale');
    expect(runnerStatus(runner({ createdAt: ago(8 * D), contactedAt: ago(6 * D) }), NOW)).toBe('offline');
  });

  it('reports paused instead of online/offline in REST, but not instead of stale or never_contacted', () => {
    expect(restRunnerStatus(runner({ paused: true, contactedAt: ago(H) }), NOW)).toBe('paused');
    expect(restRunnerStatus(runner({ paused: true, contactedAt: ago(3 * H) }), NOW)).toBe('paused');
    expect(restRunnerStatus(runner({ paused: true }), NOW)).toBe('never_contacted');
    expect(restRunnerStatus(runner({ paused: true, createdAt: ago(9 * D) }), NOW)).toBe('stale');
  });

  it('filters by the status values of GET /runners', () => {
    const online = runner({ contactedAt: ago(H) });
    const paused = runner({ paused: true, contactedAt: ago(5 * H) });
    expect(hasStatus(online, 'online', NOW)).toBe(true);
    expect(hasStatus(online, 'active', NOW)).toBe(true);
    expect(hasStatus(paused, 'paused', NOW)).toBe(true);
    expect(hasStatus(paused, 'offline', NOW)).toBe(true);
    expect(hasStatus(runner(), 'offline', NOW)).toBe(false);
    expect(hasStatus(runner(), 'never_contacted', NOW)).toBe(true);
    expect(hasStatus(runner(), 'bogus', NOW)).toBe(false);
  });
});
