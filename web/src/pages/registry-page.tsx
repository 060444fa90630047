// The project's container registry: repositories and their tags (404 from the API: no registry).
import { useState } from 'preact/hooks';
import { ApiError, enc } from '../api.js';
import { useApp } from '../app-context.js';
import { bytes, timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Loading } from '../ui/link.js';
import type { RegistryRepository, RegistryTag } from '../types.js';
import { useProject } from './use-project.js';

function Tags({ pid, repo }: { pid: number; repo: RegistryRepository }) {
  const { api } = useApp();
  const tags = useLoad((s) => api.get<RegistryTag[]>(`/api/v4/projects/${enc(pid)}/registry/repositories/${repo.id}/tags?per_page=100`, s), [pid, repo.id]);
  if (tags.error) return <ErrorBox message={tags.error} />;
  if (!tags.data) return <Loading what="tags" />;
  if (tags.data.length === 0) return <p class="muted">No tags.</p>;
  return (
    <table class="table">
      <caption class="sr-only">Tags of {repo.path}</caption>
      <thead><tr><th scope="col">Tag</th><th scope="col">Pull</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Created</th></tr></thead>
      <tbody>
        {tags.data.map((t) => (
          <tr key={t.name}>
            <td><strong>{t.name}</strong></td>
            <td><code class="break">{t.location}</code></td>
            <td><code title={t.digest}>{t.digest ? t.digest.slice(0, 19) : '—'}</code></td>
            <td>{t.total_size !== undefined ? bytes(t.total_size) : '—'}</td>
            <td class="muted small">{timeAgo(t.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RegistryPage({ path }: { path: string }) {
  const { api } = useApp();
  const project = useProject(path);
  const pid = project.data?.id;
  const [open, setOpen] = useState<number>();
  const repos = useLoad(async (s): Promise<RegistryRepository[] | 'none'> => {
    if (pid === undefined) return [];
    try {
      return await api.get<RegistryRepository[]>(`/api/v4/projects/${enc(pid)}/registry/repositories?per_page=100&tags_count=true`, s);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return 'none';
      throw e;
    }
  }, [pid]);
  if (project.error) return <ErrorBox message={project.error} />;
  return (
    <>
      <h1>Container registry</h1>
      {repos.error && <ErrorBox message={repos.error} />}
      {!repos.data && !repos.error && <Loading what="registry" />}
      {repos.data === 'none' && <p class="muted">No registry: this server has no container registry for this project.</p>}
      {Array.isArray(repos.data) && repos.data.length === 0 && pid !== undefined && (
        <p class="muted">No images yet. Push one from a job with <code>docker push $CI_REGISTRY_IMAGE:tag</code>.</p>
      )}
      {Array.isArray(repos.data) && pid !== undefined && repos.data.map((r) => (
        <section key={r.id} class="card registry-repo">
          <h2>
            <button type="button" class="link-btn" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? undefined : r.id)}>
              <span aria-hidden="true">{open === r.id ? '▾' : '▸'}</span> {r.path}
            </button>
            {r.tags_count !== undefined && <span class="pill">{r.tags_count} tags</span>}
          </h2>
          <p class="small"><code class="break">{r.location}</code></p>
          {open === r.id && <div class="table-wrap"><Tags pid={pid} repo={r} /></div>}
        </section>
      ))}
    </>
  );
}
