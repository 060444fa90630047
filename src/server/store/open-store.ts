// Picks the Store for `drydock server`: PostgreSQL when a postgres:// URL is given, else the
// embedded SQLite file in the data directory.
import path from 'node:path';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openStore(dataDir: string, databaseUrl?: string): Promise<Store> {
  if (databaseUrl === undefined) return openSqliteStore(path.join(dataDir, 'drydock.db'));
  if (!isPostgresUrl(databaseUrl)) throw new Error(`--database ${databaseUrl}: expected a postgres:// or postgresql:// URL`);
  return openPostgresStore(databaseUrl);
}
