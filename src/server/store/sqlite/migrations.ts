// Versioned schema migrations: each runs once, in order, inside one transaction with its version row.
// Never edit a released migration; add the next one.
import type Database from 'better-sqlite3';

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        email TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
      CREATE TABLE personal_access_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
        token_digest TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, path TEXT NOT NULL, namespace_path TEXT NOT NULL,
        full_path TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '', default_branch TEXT NOT NULL,
        visibility TEXT NOT NULL, ci_config_path TEXT NOT NULL, creator_id INTEGER, pipeline_iid INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL);
      CREATE TABLE runners (
        id INTEGER PRIMARY KEY AUTOINCREMENT, token_digest TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
        tags TEXT NOT NULL, run_untagged INTEGER NOT NULL, locked INTEGER NOT NULL, access_level TEXT NOT NULL,
        paused INTEGER NOT NULL, maximum_timeout INTEGER, runner_type TEXT NOT NULL, contacted_at TEXT,
        info TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL);
      CREATE TABLE pipelines (
        id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL REFERENCES projects(id), iid INTEGER NOT NULL,
        ref TEXT NOT NULL, tag INTEGER NOT NULL, sha TEXT NOT NULL, before_sha TEXT NOT NULL, source TEXT NOT NULL,
        status TEXT NOT NULL, yaml_errors TEXT, name TEXT, user_id INTEGER, created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, UNIQUE (project_id, iid));
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
        project_id INTEGER NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL, stage_index INTEGER NOT NULL,
        status TEXT NOT NULL, spec TEXT NOT NULL, token_digest TEXT UNIQUE, failure_reason TEXT, exit_code INTEGER,
        runner_id INTEGER, retried INTEGER NOT NULL DEFAULT 0, user_id INTEGER, created_at TEXT NOT NULL,
        queued_at TEXT, started_at TEXT, finished_at TEXT);
      CREATE INDEX jobs_pipeline ON jobs(pipeline_id);
      CREATE INDEX jobs_status ON jobs(status, queued_at, id);
      CREATE TABLE trace_chunks (
        job_id INTEGER NOT NULL REFERENCES jobs(id), "offset" INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (job_id, "offset"));
      CREATE TABLE variables (
        project_id INTEGER NOT NULL REFERENCES projects(id), key TEXT NOT NULL, value TEXT NOT NULL,
        variable_type TEXT NOT NULL, masked INTEGER NOT NULL, protected INTEGER NOT NULL, raw INTEGER NOT NULL,
        environment_scope TEXT NOT NULL, description TEXT, PRIMARY KEY (project_id, key));
    `,
  },
  {
    // Project runners (POST /user/runners with runner_type project_type) serve one project only.
    version: 2,
    sql: `ALTER TABLE runners ADD COLUMN project_id INTEGER REFERENCES projects(id);`,
  },
  {
    // Job artifacts (archive and reports); the bytes live in <data>/artifacts/<job id>/<file type>.
    version: 3,
    sql: `
      CREATE TABLE job_artifacts (
        job_id INTEGER NOT NULL REFERENCES jobs(id), file_type TEXT NOT NULL, file_format TEXT NOT NULL,
        filename TEXT NOT NULL, size INTEGER NOT NULL, expire_at TEXT, created_at TEXT NOT NULL,
        PRIMARY KEY (job_id, file_type));
    `,
  },
  {
    // When the runner last reported on a running job (trace or state), to find jobs whose runner vanished.
    version: 4,
    sql: `ALTER TABLE jobs ADD COLUMN updated_at TEXT;`,
  },
  {
    // Variables given when a pipeline is created through the API or the UI (highest precedence).
    version: 5,
    sql: `
      CREATE TABLE pipeline_variables (
        pipeline_id INTEGER NOT NULL REFERENCES pipelines(id), position INTEGER NOT NULL, key TEXT NOT NULL,
        value TEXT NOT NULL, variable_type TEXT NOT NULL, PRIMARY KEY (pipeline_id, position));
    `,
  },
  {
    // Delayed jobs (when: delayed + start_in) wait in `scheduled` until scheduled_at; resource groups
    // (resource_group) hold their process mode, created on first use as GitLab does.
    version: 6,
    sql: `
      ALTER TABLE jobs ADD COLUMN scheduled_at TEXT;
      CREATE TABLE resource_groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL REFERENCES projects(id), key TEXT NOT NULL,
        process_mode TEXT NOT NULL DEFAULT 'unordered', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (project_id, key));
    `,
  },
  {
    // workflow:auto_cancel:on_job_failure is part of the pipeline ('none' or 'all', fixed at creation);
    // variables from a job's artifacts:reports:dotenv, parsed at upload, for the jobs that depend on it.
    version: 7,
    sql: `
      ALTER TABLE pipelines ADD COLUMN auto_cancel_on_job_failure TEXT NOT NULL DEFAULT 'none';
      CREATE TABLE job_dotenv_variables (
        job_id INTEGER NOT NULL REFERENCES jobs(id), position INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (job_id, position));
      UPDATE pipelines SET auto_cancel_on_job_failure = 'all' WHERE id IN (
        SELECT CAST(substr(key, 37) AS INTEGER) FROM settings WHERE key LIKE 'pipeline_auto_cancel_on_job_failure:%' AND value = 'all');
      DELETE FROM settings WHERE key LIKE 'pipeline_auto_cancel_on_job_failure:%';
      -- Runner edits were kept as JSON overlays in settings ('runner_admin:<id>') before runners could be updated.
      UPDATE runners SET
        description = COALESCE((SELECT json_extract(value, '$.description') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), description),
        paused = COALESCE((SELECT json_extract(value, '$.paused') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), paused),
        tags = COALESCE((SELECT json_extract(value, '$.tags') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), tags),
        run_untagged = COALESCE((SELECT json_extract(value, '$.runUntagged') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), run_untagged),
        locked = COALESCE((SELECT json_extract(value, '$.locked') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), locked),
        access_level = COALESCE((SELECT json_extract(value, '$.accessLevel') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), access_level),
        maximum_timeout = COALESCE((SELECT json_extract(value, '$.maximumTimeout') FROM settings WHERE key = 'runner_admin:' || runners.id AND json_valid(value)), maximum_timeout);
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

/** Applies the migrations `db` has not seen yet; returns the versions applied. */
export function migrate(db: Database.Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
