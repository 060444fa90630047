// The kill -9 crash loop of server-durability.test.ts with `drydock server --database postgres://...`:
// same runners, same checks, the data in PostgreSQL. Needs DRYDOCK_TEST_POSTGRES_URL (a database
// whose user may CREATE DATABASE); skipped without it unless CI=true. Needs dist/.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { crashLoop, freePort, ServerProcess } from './server-durability-kit.js';

const url = process.env.DRYDOCK_TEST_POSTGRES_URL;
const cleanup: string[] = [];
const databases: string[] = [];
let server: ServerProcess | undefined;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

afterAll(async () => {
  await server?.kill();
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
  for (const db of databases) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
});

describe('drydock server durability (kill -9, PostgreSQL)', () => {
  // Under CI=true it always runs: without DRYDOCK_TEST_POSTGRES_URL it fails (.ci/run starts PostgreSQL).
  it.skipIf(!url && process.env.CI !== 'true')('keeps every acknowledged pipeline, state and trace byte; resumes or fails running jobs; nothing stuck', async () => {
    expect(url, 'set DRYDOCK_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)').toBeTruthy();
    const db = `drydock_e2e_${randomBytes(5).toString('hex')}`;
    await admin(`CREATE DATABASE ${db}`);
    databases.push(db);
    const dbUrl = new URL(url ?? '');
    dbUrl.pathname = `/${db}`;
    const data = await mkdtemp(path.join(tmpdir(), 'drydock-durability-pg-'));
    cleanup.push(data);
    server = new ServerProcess(data, await freePort(), ['--database', dbUrl.toString(), '--long-poll', '1', '--stale-job-seconds', '5']);
    await crashLoop(server, cleanup);
  });
});
