// One pipeline: summary, retry/cancel, the stage graph with needs, live while it runs.
import { useEffect, useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useApp } from '../app-context.js';
import { urls } from '../router.js';
import { duration, timeAgo } from '../ui/format.js';
import { ErrorBox, Link, Loading } from '../ui/link.js';
import { ACTIVE, StatusBadge } from '../ui/status.js';
import type { Job, JobDetails } from '../types.js';
import { useLivePipeline } from './live-pipeline.js';
import { PipelineGraph, type JobAction } from './pipeline-graph.js';
import { useProject } from './use-project.js';

export function PipelinePage({ path, id }: { path: string; id: number }) {
  const { api } = useApp();
  const project = useProject(path);
  const pid = project.data?.id;
  const live = useLivePipeline(api, pid, id);
  const [details, setDetails] = useState<JobDetails[]>();
  const [busy, setBusy] = useState<number>();
  const [actionError, setActionError] = useState<string>();
  const jobIds = live.jobs?.map((j) => j.id).join(',') ?? '';
  useEffect(() => {
    if (pid === undefined || !jobIds) return;
    const ac = new AbortController();
    api.get<JobDetails[]>(`/-/ui/api/projects/${enc(pid)}/pipelines/${id}/jobs`, ac.signal).then(setDetails, () => undefined);
    return () => ac.abort();
  }, [pid, id, jobIds]);

  const act = async (what: () => Promise<unknown>, busyId: number | undefined) => {
    setBusy(busyId ?? -1);
    setActionError(undefined);
    try {
      await what();
      live.refresh();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(undefined);
    }
  };
  const onJobAction = (job: Job, action: JobAction) =>
    act(() => api.send('POST', `/api/v4/projects/${enc(pid ?? 0)}/jobs/${job.id}/${action}`), job.id);

  if (project.error) return <ErrorBox message={project.error} />;
  const p = live.pipeline;
  if (!p) return live.error ? <ErrorBox message={live.error} /> : <Loading what="pipeline" />;
  const jobs = live.jobs ?? [];
  const canRetry = jobs.some((j) => j.status === 'failed' || j.status === 'canceled');
  return (
    <>
      <div class="page-head">
        <h1><StatusBadge status={p.status} /> Pipeline #{p.id}</h1>
        <div class="actions">
          {canRetry && <button type="button" class="btn" disabled={busy !== undefined}
            onClick={() => act(() => api.send('POST', `/api/v4/projects/${enc(pid ?? 0)}/pipelines/${p.id}/retry`), undefined)}>Retry failed jobs</button>}
          {ACTIVE.has(p.status) && <button type="button" class="btn btn-danger" disabled={busy !== undefined}
            onClick={() => act(() => api.send('POST', `/api/v4/projects/${enc(pid ?? 0)}/pipelines/${p.id}/cancel`), undefined)}>Cancel pipeline</button>}
        </div>
      </div>
      <p class="summary">
        {p.name && <><strong>{p.name}</strong> · </>}
        <code>{p.ref}</code> at <code>{p.sha.slice(0, 8)}</code>
        {' · '}{p.source}{p.user ? <> by @{p.user.username}</> : null}
        {' · '}created <time dateTime={p.created_at} title={p.created_at}>{timeAgo(p.created_at)}</time>
        {p.duration !== null && p.duration !== undefined && <> · took {duration(p.duration)}</>}
        <span class="live-note" aria-live="polite">{live.live === 'stream' ? ' · live' : live.live === 'polling' ? ' · refreshing' : ''}</span>
      </p>
      {p.yaml_errors && <div class="error card" role="alert"><strong>This pipeline's configuration is invalid:</strong><pre>{p.yaml_errors}</pre></div>}
      {actionError && <ErrorBox message={actionError} />}
      {live.error && <ErrorBox message={live.error} />}
      {jobs.length > 0 && <PipelineGraph path={path} jobs={jobs} details={details} busy={busy} onAction={onJobAction} />}
      {jobs.length === 0 && !p.yaml_errors && <p class="muted">This pipeline has no jobs.</p>}
      <p><Link href={urls.pipelines(path)}>← All pipelines</Link></p>
    </>
  );
}
