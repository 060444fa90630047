// The projects this server hosts, newest activity first.
import { useApp } from '../app-context.js';
import { timeAgo } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorBox, Link, Loading } from '../ui/link.js';
import { urls } from '../router.js';
import type { Project } from '../types.js';

export function ProjectsPage() {
  const { api } = useApp();
  const { data, error } = useLoad((s) => api.get<Project[]>('/api/v4/projects?per_page=100', s), []);
  return (
    <>
      <h1>Projects</h1>
      {error && <ErrorBox message={error} />}
      {!data && !error && <Loading what="projects" />}
      {data && data.length === 0 && (
        <div class="empty card">
          <p>No projects yet. Create one with <code>POST /api/v4/projects</code> or push to a new path, e.g.</p>
          <pre>git push http://&lt;user&gt;:&lt;token&gt;@{location.host}/group/project.git main</pre>
        </div>
      )}
      {data && data.length > 0 && (
        <ul class="list card">
          {data.map((p) => (
            <li key={p.id} class="list-row">
              <div>
                <Link href={urls.project(p.path_with_namespace)} class="strong">{p.path_with_namespace}</Link>
                {p.description && <p class="muted small">{p.description}</p>}
              </div>
              <div class="row-meta">
                <span class="pill">{p.visibility}</span>
                <Link href={urls.pipelines(p.path_with_namespace)}>Pipelines</Link>
                <span class="muted small">created {timeAgo(p.created_at)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
