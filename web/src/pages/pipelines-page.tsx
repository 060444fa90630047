// A project's pipelines: status, ref, commit, trigger, duration; filters by status and ref
// (kept in the URL), GitLab paging, refreshed while any shown pipeline is still active.
import { useEffect, useState } from 'preact/hooks';
import { enc, type Page } from '../api.js';
import { useApp } from '../app-context.js';
import { navigate, urls } from '../router.js';
import { duration, timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Link, Loading } from '../ui/link.js';
import { ACTIVE, StatusBadge } from '../ui/status.js';
import type { Pipeline } from '../types.js';
import { useProject } from './use-project.js';

const STATUSES = ['', 'running', 'pending', 'success', 'failed', 'canceled', 'skipped', 'manual', 'created'];
const PER_PAGE = 20;

export function PipelinesPage({ path }: { path: string }) {
  const { api } = useApp();
  const project = useProject(path);
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? '';
  const ref = params.get('ref') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const id = project.data?.id;
  const query = new URLSearchParams({ per_page: String(PER_PAGE), page: String(page) });
  if (status) query.set('status', status);
  if (ref) query.set('ref', ref);
  const list = useLoad(async (s): Promise<Page<Pipeline[]>> => id === undefined
    ? { items: [], nextPage: undefined, total: undefined }
    : api.page<Pipeline[]>(`/api/v4/projects/${enc(id)}/pipelines?${query.toString()}`, s), [id, query.toString()]);
  // Details (user, duration) come from the single-pipeline entity.
  const [details, setDetails] = useState<Record<number, Pipeline>>({});
  useEffect(() => {
    if (id === undefined || !list.data) return;
    const ac = new AbortController();
    for (const p of list.data.items) {
      api.get<Pipeline>(`/api/v4/projects/${enc(id)}/pipelines/${p.id}`, ac.signal)
        .then((d) => setDetails((m) => ({ ...m, [p.id]: d })), () => undefined);
    }
    return () => ac.abort();
  }, [list.data]);
  useEffect(() => {
    if (!list.data?.items.some((p) => ACTIVE.has(p.status))) return;
    const t = setTimeout(list.reload, 4000);
    return () => clearTimeout(t);
  }, [list.data]);

  const go = (change: Record<string, string>) => {
    const next = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(change)) if (v) next.set(k, v); else next.delete(k);
    if (!('page' in change)) next.delete('page');
    const qs = next.toString();
    navigate(`${urls.pipelines(path)}${qs ? `?${qs}` : ''}`);
  };

  if (project.error) return <ErrorBox message={project.error} />;
  return (
    <>
      <h1>Pipelines</h1>
      <form class="filters" role="search" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        go({ status: String(f.get('status') ?? ''), ref: String(f.get('ref') ?? '').trim() });
      }}>
        <label>Status
          <select name="status" value={status} onChange={(e) => go({ status: (e.currentTarget as HTMLSelectElement).value, ref })}>
            {STATUSES.map((s) => <option key={s} value={s}>{s || 'any'}</option>)}
          </select>
        </label>
        <label>Branch or tag
          <input key={ref} name="ref" type="text" defaultValue={ref} placeholder="e.g. main" />
        </label>
        <button class="btn" type="submit">Filter</button>
        {(status || ref) && <button class="btn btn-ghost" type="button" onClick={() => go({ status: '', ref: '' })}>Clear</button>}
      </form>
      {list.error && <ErrorBox message={list.error} />}
      {!list.data && !list.error && <Loading what="pipelines" />}
      {list.data && list.data.items.length === 0 && <p class="muted">No pipelines match.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap card">
          <table class="table">
            <caption class="sr-only">Pipelines of {path}</caption>
            <thead><tr><th scope="col">Status</th><th scope="col">Pipeline</th><th scope="col">Ref / commit</th><th scope="col">Triggerer</th><th scope="col">Duration</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {list.data.items.map((p) => {
                const d = details[p.id];
                return (
                  <tr key={p.id}>
                    <td><Link href={urls.pipeline(path, p.id)}><StatusBadge status={p.status} /></Link></td>
                    <td><Link href={urls.pipeline(path, p.id)} class="strong">#{p.id}</Link> <span class="muted small">(#{p.iid})</span>{p.name && <div class="small">{p.name}</div>}</td>
                    <td><code>{p.ref}</code> <code class="muted">{p.sha.slice(0, 8)}</code></td>
                    <td>{d?.user ? `@${d.user.username}` : ''} <span class="pill">{p.source}</span></td>
                    <td>{duration(d?.duration)}</td>
                    <td class="muted small"><time dateTime={p.created_at} title={p.created_at}>{timeAgo(p.created_at)}</time></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {page > 1 && <button class="btn" type="button" onClick={() => go({ status, ref, page: String(page - 1) })}>← Newer</button>}
        <span class="muted">Page {page}{list.data?.total !== undefined ? ` of ${Math.max(1, Math.ceil(list.data.total / PER_PAGE))}` : ''}</span>
        {list.data?.nextPage && <button class="btn" type="button" onClick={() => go({ status, ref, page: String(page + 1) })}>Older →</button>}
      </nav>
    </>
  );
}
