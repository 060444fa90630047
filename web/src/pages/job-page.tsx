// One job: its log (ANSI, sections, line anchors, live tail), actions and metadata.
import { useEffect, useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useApp } from '../app-context.js';
import { useJobLog } from '../log/job-log.js';
import { LogSearch } from '../log/log-search.js';
import { LogView } from '../log/log-view.js';
import { navigate, urls } from '../router.js';
import { bytes, duration, timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Link, Loading } from '../ui/link.js';
import { ACTIVE, StatusBadge } from '../ui/status.js';
import type { Job, JobDetails } from '../types.js';
import { jobAction } from './pipeline-graph.js';
import { useProject } from './use-project.js';

const REASONS: Record<string, string> = {
  script_failure: 'The script exited with a non-zero status.',
  runner_system_failure: 'The runner failed (not the script).',
  job_execution_timeout: 'The job ran longer than its timeout.',
  stuck_or_timeout_failure: 'No runner picked the job up in time, or it stopped reporting.',
  missing_dependency_failure: 'An artifact this job needs is missing.',
  api_failure: 'The runner could not talk to the server.',
  unknown_failure: 'The job failed for an unknown reason.',
  downstream_pipeline_creation_failed: 'The trigger job could not create its downstream pipeline (its log says why).',
  downstream_bridge_project_not_found: 'The project this trigger job names does not exist on this server.',
};

export function JobPage({ path, id }: { path: string; id: number }) {
  const { api } = useApp();
  const project = useProject(path);
  const pid = project.data?.id;
  const job = useLoad((s) => pid === undefined ? Promise.resolve(undefined) : api.get<Job>(`/api/v4/projects/${enc(pid)}/jobs/${id}`, s), [pid, id]);
  const details = useLoad((s) => pid === undefined ? Promise.resolve(undefined) : api.get<JobDetails>(`/-/ui/api/projects/${enc(pid)}/jobs/${id}`, s), [pid, id]);
  const j = job.data;
  const active = !!j && ACTIVE.has(j.status);
  const log = useJobLog(api, pid, id, active, job.reload);
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState<{ line: number; seq: number }>();
  const [matches, setMatches] = useState<ReadonlySet<number>>(new Set());
  const [actionError, setActionError] = useState<string>();
  // The stream's `status` events refresh the job; this also catches a change that happened
  // before the stream opened, or a server without the stream.
  useEffect(() => {
    if (!active) return;
    const t = setTimeout(job.reload, log.live ? 5000 : 3000);
    return () => clearTimeout(t);
  }, [active, log.live, j]);

  if (project.error) return <ErrorBox message={project.error} />;
  if (job.error) return <ErrorBox message={job.error} />;
  if (!j || pid === undefined) return <Loading what="job" />;
  const action = jobAction(j);
  const run = async () => {
    if (!action) return;
    setBusy(true);
    setActionError(undefined);
    try {
      const next = await api.send<Job>('POST', `/api/v4/projects/${enc(pid)}/jobs/${j.id}/${action}`);
      if (next && next.id !== j.id) navigate(urls.job(path, next.id));
      else job.reload();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const d = details.data;
  const archive = j.artifacts_file;
  return (
    <>
      <div class="page-head">
        <h1><StatusBadge status={j.status} /> {j.name} <span class="muted">#{j.id}</span></h1>
        <div class="actions">
          {action && <button type="button" class={`btn ${action === 'cancel' ? 'btn-danger' : 'btn-primary'}`} disabled={busy} onClick={run}>
            {action === 'retry' ? 'Retry' : action === 'cancel' ? 'Cancel' : 'Run'}
          </button>}
          <a class="btn" href={`/api/v4/projects/${enc(pid)}/jobs/${j.id}/trace`} download={`job-${j.id}.log`}>Download raw log</a>
        </div>
      </div>
      {actionError && <ErrorBox message={actionError} />}
      {j.status === 'failed' && (
        <p class="error card" role="status">
          <strong>Failed{j.allow_failure ? ' (allowed to fail)' : ''}:</strong> {REASONS[j.failure_reason ?? ''] ?? j.failure_reason}
          {j.failure_reason && <> <code>{j.failure_reason}</code></>}
        </p>
      )}
      {j.retried && <p class="muted">This job was retried; a newer run exists in the pipeline.</p>}
      <div class="job-layout">
        <section class="job-log" aria-labelledby="log-heading">
          <div class="log-head">
            <h2 id="log-heading">Log</h2>
            <span class="muted small" aria-live="polite">
              {log.loading ? 'loading…' : `${log.model.lineCount.toLocaleString()} lines · ${bytes(log.bytes)}`}{log.live ? ' · live' : ''}
            </span>
          </div>
          <LogSearch model={log.model} version={log.version} onFocus={setFocus} onMatches={setMatches} />
          {log.error && <ErrorBox message={log.error} />}
          <LogView model={log.model} version={log.version} follow={active} label={`Log of job ${j.name}`} focus={focus} matches={matches} />
        </section>
        <aside class="job-meta card" aria-label="Job details">
          <dl class="facts">
            <dt>Pipeline</dt><dd><Link href={urls.pipeline(path, j.pipeline.id)}>#{j.pipeline.id}</Link> <code>{j.ref}</code></dd>
            <dt>Stage</dt><dd>{j.stage}</dd>
            {d?.downstream_pipeline !== undefined && <><dt>Downstream</dt><dd>{d.downstream_pipeline
              ? <><Link href={urls.pipeline(path, d.downstream_pipeline.id)}>Pipeline #{d.downstream_pipeline.id}</Link> {d.downstream_pipeline.status}</>
              : 'not created'}</dd></>}
            <dt>Commit</dt><dd><code>{j.commit.short_id}</code> {j.commit.title}</dd>
            <dt>Duration</dt><dd>{duration(j.duration)}{j.queued_duration !== null ? ` (queued ${duration(j.queued_duration)})` : ''}</dd>
            <dt>Started</dt><dd>{j.started_at ? <time dateTime={j.started_at} title={j.started_at}>{timeAgo(j.started_at)}</time> : '—'}</dd>
            <dt>Runner</dt><dd>{j.runner ? `#${j.runner.id} ${j.runner.description}` : '—'}</dd>
            <dt>Image</dt><dd>{d?.image ? <code class="break">{d.image}</code> : '—'}</dd>
            <dt>Services</dt><dd>{d && d.services.length > 0 ? d.services.map((s) => <div key={s.name}><code class="break">{s.name}</code>{s.alias ? ` as ${s.alias}` : ''}</div>) : '—'}</dd>
            {d?.needs && <><dt>Needs</dt><dd>{d.needs.length ? d.needs.join(', ') : '(none: starts at once)'}</dd></>}
            <dt>Tags</dt><dd>{j.tag_list.length ? j.tag_list.map((t) => <span key={t} class="pill">{t}</span>) : '—'}</dd>
            {j.user && <><dt>Triggered by</dt><dd>@{j.user.username}</dd></>}
            <dt>Artifacts</dt>
            <dd>{archive
              ? <><a href={`/api/v4/projects/${enc(pid)}/jobs/${j.id}/artifacts`} download={archive.filename}>Download {archive.filename}</a> <span class="muted small">({bytes(archive.size)}{j.artifacts_expire_at ? `, expires ${j.artifacts_expire_at.slice(0, 10)}` : ''})</span></>
              : '—'}</dd>
          </dl>
        </aside>
      </div>
    </>
  );
}
