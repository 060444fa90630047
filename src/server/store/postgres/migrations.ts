// Versioned schema migrations for PostgreSQL, numbered like SQLite's (../sqlite/migrations.ts) so
// one version means the same schema on both. Same column representation as SQLite (booleans 0/1,
// JSON and timestamps as text) so the shared query layer maps rows identically. Each runs once, in
// order, in one transaction with its version row, under an advisory lock (several servers may start
// at once). Never edit a released migration; add the next one.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../sql/schema.js';

export const PG_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id SERIAL PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        email TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
      CREATE TABLE personal_access_tokens (
        id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
        token_digest TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE projects (
        id SERIAL PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL, namespace_path TEXT NOT NULL,
        full_path TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '', default_branch TEXT NOT NULL,
        visibility TEXT NOT NULL, ci_config_path TEXT NOT NULL, creator_id INTEGER, pipeline_iid INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL);
      CREATE TABLE runners (
        id SERIAL PRIMARY KEY, token_digest TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
        tags TEXT NOT NULL, run_untagged INTEGER NOT NULL, locked INTEGER NOT NULL, access_level TEXT NOT NULL,
        paused INTEGER NOT NULL, maximum_timeout INTEGER, runner_type TEXT NOT NULL, contacted_at TEXT,
        info TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL);
      CREATE TABLE pipelines (
        id SERIAL PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), iid INTEGER NOT NULL,
        ref TEXT NOT NULL, tag INTEGER NOT NULL, sha TEXT NOT NULL, before_sha TEXT NOT NULL, source TEXT NOT NULL,
        status TEXT NOT NULL, yaml_errors TEXT, name TEXT, user_id INTEGER, created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, UNIQUE (project_id, iid));
      CREATE TABLE jobs (
        id SERIAL PRIMARY KEY, pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
        project_id INTEGER NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL, stage_index INTEGER NOT NULL,
        status TEXT NOT NULL, spec TEXT NOT NULL, token_digest TEXT UNIQUE, failure_reason TEXT, exit_code INTEGER,
        runner_id INTEGER, retried INTEGER NOT NULL DEFAULT 0, user_id INTEGER, created_at TEXT NOT NULL,
        queued_at TEXT, started_at TEXT, finished_at TEXT);
      CREATE INDEX jobs_pipeline ON jobs(pipeline_id);
      CREATE INDEX jobs_status ON jobs(status, queued_at, id);
      CREATE TABLE trace_chunks (
        job_id INTEGER NOT NULL REFERENCES jobs(id), "offset" BIGINT NOT NULL, data BYTEA NOT NULL,
        PRIMARY KEY (job_id, "offset"));
      CREATE TABLE variables (
        project_id INTEGER NOT NULL REFERENCES projects(id), key TEXT NOT NULL, value TEXT NOT NULL,
        variable_type TEXT NOT NULL, masked INTEGER NOT NULL, protected INTEGER NOT NULL, raw INTEGER NOT NULL,
        environment_scope TEXT NOT NULL, description TEXT, PRIMARY KEY (project_id, key));
    `,
  },
  { version: 2, sql: 'ALTER TABLE runners ADD COLUMN project_id INTEGER REFERENCES projects(id);' },
  {
    version: 3,
    sql: `
      CREATE TABLE job_artifacts (
        job_id INTEGER NOT NULL REFERENCES jobs(id), file_type TEXT NOT NULL, file_format TEXT NOT NULL,
        filename TEXT NOT NULL, size BIGINT NOT NULL, expire_at TEXT, created_at TEXT NOT NULL,
        PRIMARY KEY (job_id, file_type));
    `,
  },
  { version: 4, sql: 'ALTER TABLE jobs ADD COLUMN updated_at TEXT;' },
  {
    version: 5,
    sql: `
      CREATE TABLE pipeline_variables (
        pipeline_id INTEGER NOT NULL REFERENCES pipelines(id), position INTEGER NOT NULL, key TEXT NOT NULL,
        value TEXT NOT NULL, variable_type TEXT NOT NULL, PRIMARY KEY (pipeline_id, position));
    `,
  },
  {
    version: 6,
    sql: `
      ALTER TABLE jobs ADD COLUMN scheduled_at TEXT;
      CREATE TABLE resource_groups (
        id SERIAL PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), key TEXT NOT NULL,
        process_mode TEXT NOT NULL DEFAULT 'unordered', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (project_id, key));
    `,
  },
  {
    version: 7,
    sql: `
      ALTER TABLE pipelines ADD COLUMN auto_cancel_on_job_failure TEXT NOT NULL DEFAULT 'none';
      CREATE TABLE job_dotenv_variables (
        job_id INTEGER NOT NULL REFERENCES jobs(id), position INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (job_id, position));
      UPDATE pipelines SET auto_cancel_on_job_failure = 'all' WHERE id IN (
        SELECT CAST(substr(key, 37) AS INTEGER) FROM settings WHERE key LIKE 'pipeline_auto_cancel_on_job_failure:%' AND value = 'all');
      DELETE FROM settings WHERE key LIKE 'pipeline_auto_cancel_on_job_failure:%';
      UPDATE runners SET
        description = COALESCE((SELECT value::json->>'description' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%'), description),
        paused = COALESCE((CASE (SELECT value::json->>'paused' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), paused),
        tags = COALESCE((SELECT value::json->>'tags' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%'), tags),
        run_untagged = COALESCE((CASE (SELECT value::json->>'runUntagged' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), run_untagged),
        locked = COALESCE((CASE (SELECT value::json->>'locked' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), locked),
        access_level = COALESCE((SELECT value::json->>'accessLevel' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%'), access_level),
        maximum_timeout = COALESCE(CAST((SELECT value::json->>'maximumTimeout' FROM settings WHERE key = 'runner_admin:' || runners.id AND value LIKE '{%') AS INTEGER), maximum_timeout);
      DELETE FROM settings WHERE key LIKE 'runner_admin:%';
    `,
  },
  {
    // Child pipelines: the trigger job (bridge) of the parent pipeline that created each one.
    version: 8,
    sql: `
      ALTER TABLE pipelines ADD COLUMN parent_job_id INTEGER REFERENCES jobs(id);
      CREATE INDEX pipelines_parent_job_id ON pipelines (parent_job_id);
    `,
  },
];

/** Any constant: the advisory lock that keeps two starting servers from migrating at the same time. */
const MIGRATION_LOCK = 0x64727964;

/** Applies the migrations the database has not seen yet; returns the versions applied. */
export async function migratePostgres(db: Kysely<Database>): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`.execute(trx);
    const rows = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(trx);
    const done = new Set(rows.rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of PG_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await sql.raw(m.sql).execute(trx);
      await sql`INSERT INTO schema_migrations (version, applied_at) VALUES (${m.version}, ${new Date().toISOString()})`.execute(trx);
      applied.push(m.version);
    }
    return applied;
  });
}
