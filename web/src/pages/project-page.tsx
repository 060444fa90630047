// A project's overview: clone URL, default branch, its latest pipeline.
import { enc } from '../api.js';
import { useApp } from '../app-context.js';
import { urls } from '../router.js';
import { timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Link, Loading } from '../ui/link.js';
import { StatusBadge } from '../ui/status.js';
import type { Pipeline } from '../types.js';
import { useProject } from './use-project.js';

export function ProjectPage({ path }: { path: string }) {
  const { api } = useApp();
  const project = useProject(path);
  const id = project.data?.id;
  const latest = useLoad(async (s) => id === undefined ? [] : api.get<Pipeline[]>(`/api/v4/projects/${enc(id)}/pipelines?per_page=5`, s), [id]);
  if (project.error) return <ErrorBox message={project.error} />;
  const p = project.data;
  if (!p) return <Loading what="project" />;
  return (
    <>
      <h1>{p.name}</h1>
      {p.description && <p>{p.description}</p>}
      <dl class="facts card">
        <dt>Path</dt><dd>{p.path_with_namespace}</dd>
        <dt>Default branch</dt><dd><code>{p.default_branch}</code></dd>
        <dt>Clone (HTTP)</dt><dd><code class="break">{p.http_url_to_repo}</code></dd>
        <dt>Visibility</dt><dd>{p.visibility}</dd>
      </dl>
      <h2>Recent pipelines</h2>
      {latest.data && latest.data.length === 0 && <p class="muted">No pipelines yet: push a commit with a <code>.gitlab-ci.yml</code>.</p>}
      {latest.data && latest.data.length > 0 && (
        <ul class="list card">
          {latest.data.map((pl) => (
            <li key={pl.id} class="list-row">
              <span><StatusBadge status={pl.status} /> <Link href={urls.pipeline(path, pl.id)}>#{pl.id}</Link> on <code>{pl.ref}</code></span>
              <span class="muted small">{timeAgo(pl.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      <p><Link href={urls.pipelines(path)}>All pipelines →</Link></p>
    </>
  );
}
