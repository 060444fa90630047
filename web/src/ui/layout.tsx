// Header (home, runners, who is signed in), skip link, breadcrumbs and project tabs.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useApp } from '../app-context.js';
import { urls, type Route } from '../router.js';
import { Link } from './link.js';

function projectPath(route: Route): string | undefined {
  return 'path' in route ? route.path : undefined;
}

export function Layout({ route, children }: { route: Route; children: ComponentChildren }) {
  const { session, signOut } = useApp();
  const main = useRef<HTMLElement>(null);
  const path = projectPath(route);
  useEffect(() => { window.scrollTo(0, 0); }, [route]);
  const tab = (name: Route['name'], href: string, label: string) =>
    <li><Link href={href} aria-current={route.name === name ? 'page' : undefined}>{label}</Link></li>;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <Link href="/" class="brand">Drydock</Link>
        <nav aria-label="Main">
          <ul>
            <li><Link href="/" aria-current={route.name === 'projects' ? 'page' : undefined}>Projects</Link></li>
            <li><Link href="/admin/runners" aria-current={route.name === 'runners' ? 'page' : undefined}>Runners</Link></li>
          </ul>
        </nav>
        <div class="whoami">
          <span title={session.user.name}>@{session.user.username}</span>
          <button type="button" class="btn btn-small btn-ghost" onClick={signOut}>Sign out</button>
        </div>
      </header>
      {path && (
        <div class="project-bar">
          <nav aria-label="Breadcrumb" class="crumbs">
            <Link href="/">Projects</Link> <span aria-hidden="true">/</span> <Link href={urls.project(path)}>{path}</Link>
          </nav>
          <nav aria-label="Project">
            <ul class="tabs">
              {tab('project', urls.project(path), 'Overview')}
              {tab('pipelines', urls.pipelines(path), 'Pipelines')}
              {tab('variables', urls.variables(path), 'CI/CD variables')}
              {tab('registry', urls.registry(path), 'Container registry')}
            </ul>
          </nav>
        </div>
      )}
      <main id="main" ref={main} tabIndex={-1}>{children}</main>
    </>
  );
}
