import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../postgres/migrations.js';
import { describeStoreContract, expectStopGapsMigrated, seed, VERSION_6_STOP_GAP_ROWS } from '../store-contract.js';
import { MIGRATIONS } from './migrations.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'drydock-store-'));
  dirs.push(dir);
  return path.join(dir, 'drydock.db');
}
function open(file = ':memory:'): SqliteStore {
  const s = openSqliteStore(file);
  stores.push(s);
  return s;
}

describeStoreContract('SqliteStore', async () => open());

describe('SqliteStore', () => {
  it('keeps committed writes across reopen and migrates once', async () => {
    const file = tempFile();
    const first = openSqliteStore(file);
    const { pipeline } = await seed(first);
    await first.close();
    const second = open(file);
    expect((await second.pipelineById(pipeline.id))?.ref).toBe('main');
    expect((await second.projectByPath('grp/app'))?.id).toBe(pipeline.projectId);
  });

  it('has the same migration versions as PostgreSQL (add each new one to postgres/migrations.ts too)', () => {
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('moves the version-6 settings stop-gaps into columns (migration 7)', async () => {
    const file = tempFile();
    const raw = new BetterSqlite3(file);
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 6)) {
      raw.exec(m.sql);
      raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, 'x');
    }
    raw.exec(VERSION_6_STOP_GAP_ROWS);
    raw.close();
    await expectStopGapsMigrated(open(file));
  });
});
