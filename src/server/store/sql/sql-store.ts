// The Store as SQL through kysely, one query layer for every dialect (SQLite, PostgreSQL). Both
// schemas keep the same column representation (booleans 0/1, JSON and timestamps as text), so rows
// map the same way; what differs is in `SqlStoreOptions`. Every method resolves after its commit.
import { sql, type Kysely } from 'kysely';
import type { JobStatus } from '../../services/job-status.js';
import type {
  ArtifactRecord, DotenvVariable, JobChange, RunnerChange, RunnerFilter, PipelineVariable, JobRecord, NewJob, NewPipeline, NewProject, NewRunner, PipelineChange, PipelineRecord, ProjectRecord,
  ResourceGroupProcessMode, ResourceGroupRecord, RunnerRecord, Store, UserRecord, VariableRecord,
} from '../store.js';
import { bit, jobFromRow, pipelineFromRow, projectFromRow, resourceGroupFromRow, runnerFromRow, userFromRow, variableFromRow } from './row-mappers.js';
import type { Database } from './schema.js';

const now = (): string => new Date().toISOString();

export interface SqlStoreOptions {
  /**
   * The database has row locks (SELECT ... FOR UPDATE [SKIP LOCKED]) and runs transactions
   * concurrently (PostgreSQL). SQLite has neither: its transactions run one at a time.
   */
  rowLocks: boolean;
  /** Releases what the dialect opened (file handle, connection pool) after kysely is destroyed. */
  onClose?: () => void | Promise<void>;
}

export class SqlStore implements Store {
  constructor(private readonly db: Kysely<Database>, private readonly opts: SqlStoreOptions) {}

  async createUser(user: Omit<UserRecord, 'id' | 'createdAt'>): Promise<UserRecord> {
    const row = await this.db.insertInto('users')
      .values({ username: user.username, name: user.name, email: user.email, is_admin: bit(user.isAdmin), created_at: now() })
      .returningAll().executeTakeFirstOrThrow();
    return userFromRow(row);
  }

  async countUsers(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async addPersonalAccessToken(userId: number, name: string, tokenDigest: string, scopes: string[]): Promise<void> {
    await this.db.insertInto('personal_access_tokens')
      .values({ user_id: userId, name, token_digest: tokenDigest, scopes: JSON.stringify(scopes), revoked: 0, created_at: now() })
      .execute();
  }

  async userByTokenDigest(digest: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('personal_access_tokens as t').innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('u').where('t.token_digest', '=', digest).where('t.revoked', '=', 0).executeTakeFirst();
    return row ? userFromRow(row) : undefined;
  }

  async userById(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? userFromRow(row) : undefined;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db.insertInto('settings').values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  async createProject(p: NewProject): Promise<ProjectRecord> {
    const row = await this.db.insertInto('projects').values({
      name: p.name, path: p.path, namespace_path: p.namespacePath, full_path: p.fullPath, description: p.description,
      default_branch: p.defaultBranch, visibility: p.visibility, ci_config_path: p.ciConfigPath, creator_id: p.creatorId,
      pipeline_iid: 0, created_at: now(),
    }).returningAll().executeTakeFirstOrThrow();
    return projectFromRow(row);
  }

  async projectById(id: number): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? projectFromRow(row) : undefined;
  }

  async projectByPath(fullPath: string): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('full_path', '=', fullPath).executeTakeFirst();
    return row ? projectFromRow(row) : undefined;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (await this.db.selectFrom('projects').selectAll().orderBy('id', 'desc').execute()).map(projectFromRow);
  }

  async createRunner(r: NewRunner, tokenDigest: string): Promise<RunnerRecord> {
    const row = await this.db.insertInto('runners').values({
      token_digest: tokenDigest, description: r.description, tags: JSON.stringify(r.tags), run_untagged: bit(r.runUntagged),
      locked: bit(r.locked), access_level: r.accessLevel, paused: bit(r.paused), maximum_timeout: r.maximumTimeout,
      runner_type: r.runnerType, project_id: r.projectId, contacted_at: null, info: '{}', created_at: now(),
    }).returningAll().executeTakeFirstOrThrow();
    return runnerFromRow(row);
  }

  async runnerByTokenDigest(digest: string): Promise<RunnerRecord | undefined> {
    const row = await this.db.selectFrom('runners').selectAll().where('token_digest', '=', digest).executeTakeFirst();
    return row ? runnerFromRow(row) : undefined;
  }

  async runnerById(id: number): Promise<RunnerRecord | undefined> {
    const row = await this.db.selectFrom('runners').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? runnerFromRow(row) : undefined;
  }

  async deleteRunner(id: number): Promise<void> {
    // Jobs keep their history: runner_id is only a reference for display.
    await this.db.deleteFrom('runners').where('id', '=', id).execute();
  }

  async setRunnerTokenDigest(id: number, digest: string): Promise<void> {
    await this.db.updateTable('runners').set({ token_digest: digest }).where('id', '=', id).execute();
  }

  async touchRunner(id: number, info: Record<string, unknown> | undefined, at: string): Promise<void> {
    const set: { contacted_at: string; info?: string } = { contacted_at: at };
    if (info) set.info = JSON.stringify(info);
    await this.db.updateTable('runners').set(set).where('id', '=', id).execute();
  }

  async listRunners(f: RunnerFilter = {}): Promise<RunnerRecord[]> {
    let q = this.db.selectFrom('runners').selectAll();
    if (f.runnerType !== undefined) q = q.where('runner_type', '=', f.runnerType);
    if (f.paused !== undefined) q = q.where('paused', '=', bit(f.paused));
    const usable = f.usableByProjectId;
    if (usable !== undefined) q = q.where((eb) => eb.or([eb('runner_type', '=', 'instance_type'), eb('project_id', '=', usable)]));
    return (await q.orderBy('id').execute()).map(runnerFromRow);
  }

  async updateRunner(id: number, c: RunnerChange): Promise<RunnerRecord | undefined> {
    const set = {
      ...(c.description !== undefined && { description: c.description }),
      ...(c.paused !== undefined && { paused: bit(c.paused) }),
      ...(c.tags !== undefined && { tags: JSON.stringify(c.tags) }),
      ...(c.runUntagged !== undefined && { run_untagged: bit(c.runUntagged) }),
      ...(c.locked !== undefined && { locked: bit(c.locked) }),
      ...(c.accessLevel !== undefined && { access_level: c.accessLevel }),
      ...(c.maximumTimeout !== undefined && { maximum_timeout: c.maximumTimeout }),
    };
    if (Object.keys(set).length === 0) return this.runnerById(id);
    const row = await this.db.updateTable('runners').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return row ? runnerFromRow(row) : undefined;
  }

  async createPipeline(p: NewPipeline, jobs: NewJob[], variables: readonly PipelineVariable[] = []): Promise<PipelineRecord> {
    return this.db.transaction().execute(async (trx) => {
      const { pipeline_iid: iid } = await trx.updateTable('projects').set((eb) => ({ pipeline_iid: eb('pipeline_iid', '+', 1) }))
        .where('id', '=', p.projectId).returning('pipeline_iid').executeTakeFirstOrThrow();
      const at = now();
      const row = await trx.insertInto('pipelines').values({
        project_id: p.projectId, iid, ref: p.ref, tag: bit(p.tag), sha: p.sha, before_sha: p.beforeSha, source: p.source,
        status: p.status, yaml_errors: p.yamlErrors, name: p.name, user_id: p.userId, created_at: at, updated_at: at,
        started_at: null, finished_at: p.status === 'failed' ? at : null, auto_cancel_on_job_failure: p.autoCancelOnJobFailure ?? 'none',
        parent_job_id: p.parentJobId ?? null,
      }).returningAll().executeTakeFirstOrThrow();
      for (const j of jobs) {
        await trx.insertInto('jobs').values({
          pipeline_id: row.id, project_id: p.projectId, name: j.name, stage: j.stage, stage_index: j.stageIndex, status: j.status,
          spec: JSON.stringify(j.spec), token_digest: null, failure_reason: null, exit_code: null, runner_id: null, retried: 0,
          user_id: j.userId, created_at: at, queued_at: null, started_at: null, finished_at: null,
        }).execute();
      }
      for (const [position, v] of variables.entries()) {
        await trx.insertInto('pipeline_variables')
          .values({ pipeline_id: row.id, position, key: v.key, value: v.value, variable_type: v.variableType }).execute();
      }
      return pipelineFromRow(row);
    });
  }

  async pipelineVariables(pipelineId: number): Promise<PipelineVariable[]> {
    const rows = await this.db.selectFrom('pipeline_variables').selectAll().where('pipeline_id', '=', pipelineId).orderBy('position').execute();
    return rows.map((r) => ({ key: r.key, value: r.value, variableType: r.variable_type === 'file' ? 'file' : 'env_var' }));
  }

  async pipelineById(id: number): Promise<PipelineRecord | undefined> {
    const row = await this.db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? pipelineFromRow(row) : undefined;
  }
  async childPipelineOf(jobId: number): Promise<PipelineRecord | undefined> {
    const row = await this.db.selectFrom('pipelines').selectAll().where('parent_job_id', '=', jobId).orderBy('id', 'desc').executeTakeFirst();
    return row ? pipelineFromRow(row) : undefined;
  }


  async listPipelines(projectId: number): Promise<PipelineRecord[]> {
    const rows = await this.db.selectFrom('pipelines').selectAll().where('project_id', '=', projectId).orderBy('id', 'desc').execute();
    return rows.map(pipelineFromRow);
  }

  async updatePipeline(id: number, c: PipelineChange): Promise<void> {
    await this.db.updateTable('pipelines').set({
      updated_at: now(),
      ...(c.status !== undefined && { status: c.status }),
      ...(c.startedAt !== undefined && { started_at: c.startedAt }),
      ...(c.finishedAt !== undefined && { finished_at: c.finishedAt }),
    }).where('id', '=', id).execute();
  }

  async jobById(id: number): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? jobFromRow(row) : undefined;
  }

  async jobsOfPipeline(pipelineId: number): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('pipeline_id', '=', pipelineId).orderBy('id').execute();
    return rows.map(jobFromRow);
  }

  async pendingJobs(): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', '=', 'pending')
      .orderBy('queued_at').orderBy('id').execute();
    return rows.map(jobFromRow);
  }

  async jobsWithStatus(statuses: readonly JobStatus[]): Promise<JobRecord[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', 'in', [...statuses]).orderBy('id').execute();
    return rows.map(jobFromRow);
  }

  async updateJob(id: number, c: JobChange): Promise<void> {
    await updateJobIn(this.db, id, c);
  }

  async updateJobs(changes: ReadonlyArray<{ id: number; change: JobChange }>): Promise<void> {
    if (changes.length === 0) return;
    // One transaction: one disk flush for a whole stage becoming pending, not one per job.
    await this.db.transaction().execute(async (trx) => {
      for (const { id, change } of changes) await updateJobIn(trx, id, change);
    });
  }

  async assignJob(id: number, runnerId: number, tokenDigest: string, at: string): Promise<boolean> {
    const set = { status: 'running', runner_id: runnerId, token_digest: tokenDigest, started_at: at, updated_at: at };
    const r = this.opts.rowLocks
      // PostgreSQL: a job another connection is assigning right now is skipped at once, not waited for.
      ? await this.db.updateTable('jobs').set(set)
        .where('id', '=', (eb) => eb.selectFrom('jobs').select('id').where('id', '=', id).where('status', '=', 'pending').forUpdate().skipLocked())
        .executeTakeFirst()
      : await this.db.updateTable('jobs').set(set).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }


  async jobByTokenDigest(digest: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('token_digest', '=', digest).executeTakeFirst();
    return row ? jobFromRow(row) : undefined;
  }

  async executingJobs(): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', 'in', ['running', 'canceling']).orderBy('id').execute();
    return rows.map(jobFromRow);
  }

  async touchJob(id: number, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ updated_at: at }).where('id', '=', id).execute();
  }

  async cloneJobForRetry(job: JobRecord, userId: number | null): Promise<JobRecord> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('jobs').set({ retried: 1 }).where('id', '=', job.id).execute();
      const row = await trx.insertInto('jobs').values({
        pipeline_id: job.pipelineId, project_id: job.projectId, name: job.name, stage: job.stage, stage_index: job.stageIndex,
        status: 'created', spec: JSON.stringify(job.spec), token_digest: null, failure_reason: null, exit_code: null,
        runner_id: null, retried: 0, user_id: userId, created_at: now(), queued_at: null, started_at: null, finished_at: null,
      }).returningAll().executeTakeFirstOrThrow();
      return jobFromRow(row);
    });
  }

  async appendTrace(jobId: number, offset: number, data: Uint8Array, touchedAt?: string): Promise<{ ok: boolean; size: number }> {
    return this.db.transaction().execute(async (trx) => {
      // Two PATCHes of one job must not both append at the same offset (SQLite transactions are serial already).
      if (this.opts.rowLocks) await trx.selectFrom('jobs').select('id').where('id', '=', jobId).forUpdate().execute();
      const size = await sizeOf(trx, jobId);
      if (offset !== size) return { ok: false, size };
      if (data.byteLength > 0) {
        await trx.insertInto('trace_chunks').values({ job_id: jobId, offset, data: Buffer.from(data) }).execute();
      }
      // The runner's report time rides along: one commit (one disk flush) per PATCH.
      if (touchedAt !== undefined) await trx.updateTable('jobs').set({ updated_at: touchedAt }).where('id', '=', jobId).execute();
      return { ok: true, size: size + data.byteLength };
    });
  }

  async traceSize(jobId: number): Promise<number> {
    return sizeOf(this.db, jobId);
  }

  async readTrace(jobId: number, fromOffset = 0): Promise<Buffer> {
    // Only the chunks that reach past `fromOffset`; the first one is cut at it.
    const rows = await this.db.selectFrom('trace_chunks').select(['offset', 'data']).where('job_id', '=', jobId)
      .where(sql<number>`"offset" + length(data)`, '>', fromOffset).orderBy('offset').execute();
    const first = rows[0];
    if (first && first.offset < fromOffset) rows[0] = { offset: fromOffset, data: first.data.subarray(fromOffset - first.offset) };
    return Buffer.concat(rows.map((r) => r.data));
  }

  async putArtifact(a: Omit<ArtifactRecord, 'createdAt'>, dotenv?: readonly DotenvVariable[]): Promise<void> {
    const values = { file_format: a.fileFormat, filename: a.filename, size: a.size, expire_at: a.expireAt, created_at: now() };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('job_artifacts').values({ job_id: a.jobId, file_type: a.fileType, ...values })
        .onConflict((oc) => oc.columns(['job_id', 'file_type']).doUpdateSet(values)).execute();
      if (!dotenv) return;
      await trx.deleteFrom('job_dotenv_variables').where('job_id', '=', a.jobId).execute();
      if (dotenv.length === 0) return;
      await trx.insertInto('job_dotenv_variables')
        .values(dotenv.map((v, position) => ({ job_id: a.jobId, position, key: v.key, value: v.value }))).execute();
    });
  }

  async dotenvVariables(jobId: number): Promise<DotenvVariable[]> {
    const rows = await this.db.selectFrom('job_dotenv_variables').select(['key', 'value']).where('job_id', '=', jobId).orderBy('position').execute();
    return rows.map((r) => ({ key: r.key, value: r.value }));
  }

  async artifactsOfJob(jobId: number): Promise<ArtifactRecord[]> {
    const rows = await this.db.selectFrom('job_artifacts').selectAll().where('job_id', '=', jobId).orderBy('file_type').execute();
    return rows.map((r) => ({
      jobId: r.job_id, fileType: r.file_type, fileFormat: r.file_format, filename: r.filename, size: r.size,
      expireAt: r.expire_at, createdAt: r.created_at,
    }));
  }

  async listVariables(projectId: number): Promise<VariableRecord[]> {
    const rows = await this.db.selectFrom('variables').selectAll().where('project_id', '=', projectId).orderBy('key').execute();
    return rows.map(variableFromRow);
  }

  async getVariable(projectId: number, key: string): Promise<VariableRecord | undefined> {
    const row = await this.db.selectFrom('variables').selectAll().where('project_id', '=', projectId).where('key', '=', key).executeTakeFirst();
    return row ? variableFromRow(row) : undefined;
  }

  async putVariable(v: VariableRecord): Promise<void> {
    const values = {
      value: v.value, variable_type: v.variableType, masked: bit(v.masked), protected: bit(v.protected), raw: bit(v.raw),
      environment_scope: v.environmentScope, description: v.description,
    };
    await this.db.insertInto('variables').values({ project_id: v.projectId, key: v.key, ...values })
      .onConflict((oc) => oc.columns(['project_id', 'key']).doUpdateSet(values)).execute();
  }

  async deleteVariable(projectId: number, key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('variables').where('project_id', '=', projectId).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async ensureResourceGroup(projectId: number, key: string): Promise<ResourceGroupRecord> {
    const at = now();
    await this.db.insertInto('resource_groups').values({ project_id: projectId, key, process_mode: 'unordered', created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['project_id', 'key']).doNothing()).execute();
    const row = await this.db.selectFrom('resource_groups').selectAll().where('project_id', '=', projectId).where('key', '=', key)
      .executeTakeFirstOrThrow();
    return resourceGroupFromRow(row);
  }

  async resourceGroup(projectId: number, key: string): Promise<ResourceGroupRecord | undefined> {
    const row = await this.db.selectFrom('resource_groups').selectAll().where('project_id', '=', projectId).where('key', '=', key)
      .executeTakeFirst();
    return row ? resourceGroupFromRow(row) : undefined;
  }

  async resourceGroups(projectId: number): Promise<ResourceGroupRecord[]> {
    const rows = await this.db.selectFrom('resource_groups').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
    return rows.map(resourceGroupFromRow);
  }

  async updateResourceGroup(projectId: number, key: string, processMode: ResourceGroupProcessMode): Promise<ResourceGroupRecord | undefined> {
    await this.db.updateTable('resource_groups').set({ process_mode: processMode, updated_at: now() })
      .where('project_id', '=', projectId).where('key', '=', key).execute();
    return this.resourceGroup(projectId, key);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.opts.onClose?.();
  }
}

async function updateJobIn(db: Kysely<Database>, id: number, c: JobChange): Promise<void> {
  const set = {
    ...(c.status !== undefined && { status: c.status }),
    ...(c.failureReason !== undefined && { failure_reason: c.failureReason }),
    ...(c.exitCode !== undefined && { exit_code: c.exitCode }),
    ...(c.runnerId !== undefined && { runner_id: c.runnerId }),
    ...(c.retried !== undefined && { retried: bit(c.retried) }),
    ...(c.queuedAt !== undefined && { queued_at: c.queuedAt }),
    ...(c.startedAt !== undefined && { started_at: c.startedAt }),
    ...(c.finishedAt !== undefined && { finished_at: c.finishedAt }),
    ...(c.scheduledAt !== undefined && { scheduled_at: c.scheduledAt }),
  };
  if (Object.keys(set).length === 0) return;
  await db.updateTable('jobs').set(set).where('id', '=', id).execute();
}

async function sizeOf(db: Kysely<Database>, jobId: number): Promise<number> {
  const r = await db.selectFrom('trace_chunks')
    .select(sql<number>`coalesce(sum(length(data)), 0)`.as('size')).where('job_id', '=', jobId).executeTakeFirstOrThrow();
  return Number(r.size);
}
