// The Store on PostgreSQL (`drydock server --database postgres://...`): node-postgres under the
// shared kysely query layer (../sql/sql-store.ts). A commit is durable when PostgreSQL's
// synchronous_commit is on (its default). Job pickup uses FOR UPDATE SKIP LOCKED, trace appends a
// row lock on the job, so several server processes may share one database.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../sql/schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { migratePostgres } from './migrations.js';

export interface PostgresStoreOptions {
  /** Tables live in this schema (created if missing); default the connection's search_path. */
  schema?: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
}

const INT8_OID = 20;

/** Connects, migrates, and returns the store; throws with a readable message when the database is unreachable. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlStore> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // BIGINT columns (trace offsets, artifact sizes, counts) as numbers: they stay far below 2^53.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser },
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migratePostgres(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new Error(`PostgreSQL at ${redact(url)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return new SqlStore(db, { rowLocks: true });
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://...';
  }
}
