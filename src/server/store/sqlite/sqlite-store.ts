// The Store on SQLite: better-sqlite3 under the shared kysely query layer (../sql/sql-store.ts).
// WAL + synchronous=FULL: a resolved write has reached the disk, so every 2xx the server sends
// after it survives a crash or power loss.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from '../sql/schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { migrate } from './migrations.js';

export type SqliteStore = SqlStore;

/** Opens (creating and migrating as needed) the database file; ':memory:' for tests. */
export function openSqliteStore(file: string): SqliteStore {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  migrate(raw);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return new SqlStore(db, { rowLocks: false, onClose: () => { if (raw.open) raw.close(); } });
}

/**
 * kysely prepares every query anew; the server runs the same few hundred SQL texts over and over,
 * so keep their prepared statements (better-sqlite3 runs each synchronously: reuse is safe).
 */
function withStatementCache(raw: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => { if (raw.open) raw.close(); },
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (!statement) {
        if (cache.size >= max) cache.clear();
        statement = raw.prepare(text) as unknown as SqliteStatement;
        cache.set(text, statement);
      }
      return statement;
    },
  };
}
