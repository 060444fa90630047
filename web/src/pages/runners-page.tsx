// Runners known to this server (GitLab's GET /runners/all for admins, else /runners).
import { ApiError } from '../api.js';
import { useApp } from '../app-context.js';
import { timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Loading } from '../ui/link.js';
import type { Runner } from '../types.js';

export function RunnersPage() {
  const { api, session } = useApp();
  const list = useLoad(async (s): Promise<Runner[] | 'unavailable'> => {
    const paths = session.user.is_admin ? ['/api/v4/runners/all?per_page=100', '/api/v4/runners?per_page=100'] : ['/api/v4/runners?per_page=100'];
    for (const p of paths) {
      try {
        return await api.get<Runner[]>(p, s);
      } catch (e) {
        if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405 && e.status !== 403)) throw e;
      }
    }
    return 'unavailable';
  }, []);
  return (
    <>
      <h1>Runners</h1>
      {list.error && <ErrorBox message={list.error} />}
      {!list.data && !list.error && <Loading what="runners" />}
      {list.data === 'unavailable' && <p class="muted">This server does not list runners over its API yet.</p>}
      {Array.isArray(list.data) && list.data.length === 0 && (
        <p class="muted">No runners yet. Register one with <code>drydock runner register</code> or <code>gitlab-runner register</code>.</p>
      )}
      {Array.isArray(list.data) && list.data.length > 0 && (
        <div class="table-wrap card">
          <table class="table">
            <caption class="sr-only">Runners</caption>
            <thead><tr><th scope="col">Runner</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Tags</th><th scope="col">Last contact</th></tr></thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id}>
                  <td><strong>#{r.id}</strong> {r.description}</td>
                  <td><span class={`pill runner-${r.paused || r.active === false ? 'paused' : r.status ?? 'unknown'}`}>{r.paused || r.active === false ? 'paused' : r.status ?? (r.online ? 'online' : 'offline')}</span></td>
                  <td>{r.runner_type?.replace('_type', '') ?? (r.is_shared ? 'instance' : 'project')}</td>
                  <td>{(r.tag_list ?? []).map((t) => <span key={t} class="pill">{t}</span>)}</td>
                  <td class="muted small">{timeAgo(r.contacted_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
