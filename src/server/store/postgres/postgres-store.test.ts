// The Store contract on PostgreSQL. Needs DRYDOCK_TEST_POSTGRES_URL (e.g.
// postgres://drydock@127.0.0.1:5432/drydock_test); skipped without it, except under CI=true where a
// missing database is a failure. Each store gets its own schema, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeStoreContract, expectStopGapsMigrated, seed, VERSION_6_STOP_GAP_ROWS } from '../store-contract.js';
import type { Store } from '../store.js';
import { PG_MIGRATIONS } from './migrations.js';
import { openPostgresStore, redact } from './postgres-store.js';

const url = process.env.DRYDOCK_TEST_POSTGRES_URL;
const required = process.env.CI === 'true';

const stores: Store[] = [];
const schemas: string[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

async function open(schema = `drydock_test_${randomBytes(6).toString('hex')}`): Promise<Store> {
  if (!url) throw new Error('DRYDOCK_TEST_POSTGRES_URL is not set');
  if (!schemas.includes(schema)) schemas.push(schema);
  const store = await openPostgresStore(url, { schema });
  stores.push(store);
  return store;
}

describe('PostgreSQL test database', () => {
  it.runIf(required)('is configured when CI=true (DRYDOCK_TEST_POSTGRES_URL)', () => {
    expect(url, 'CI=true needs DRYDOCK_TEST_POSTGRES_URL: .ci/run must start PostgreSQL').toBeTruthy();
  });
});

describe.skipIf(!url)('PostgresStore', () => {
  describeStoreContract('PostgresStore', () => open());

  it('keeps committed writes across reopen and migrates once', async () => {
    const schema = `drydock_test_${randomBytes(6).toString('hex')}`;
    const first = await open(schema);
    const { pipeline } = await seed(first);
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    const second = await open(schema);
    expect((await second.pipelineById(pipeline.id))?.ref).toBe('main');
    expect((await second.projectByPath('grp/app'))?.id).toBe(pipeline.projectId);
  });

  it('moves the version-6 settings stop-gaps into columns (migration 7)', async () => {
    const schema = `drydock_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      for (const m of PG_MIGRATIONS.filter((m) => m.version <= 6)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, 'x']);
      }
      await client.query(VERSION_6_STOP_GAP_ROWS);
    } finally {
      await client.end();
    }
    await expectStopGapsMigrated(await open(schema));
  });

  it('says which database it could not reach, without the password', async () => {
    await expect(openPostgresStore('postgres://u:secret@127.0.0.1:1/none')).rejects.toThrow(/PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(redact('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});
