// GitLab's page URLs → the page to show. Links are real hrefs (open in a new tab works); plain
// clicks are taken over with history.pushState.
export type Route =
  | { name: 'signIn' }
  | { name: 'projects' }
  | { name: 'runners' }
  | { name: 'project'; path: string }
  | { name: 'pipelines'; path: string }
  | { name: 'pipeline'; path: string; id: number }
  | { name: 'job'; path: string; id: number }
  | { name: 'variables'; path: string }
  | { name: 'registry'; path: string }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/users/sign_in') return { name: 'signIn' };
  if (p === '/' || p === '/dashboard/projects' || p === '/explore/projects') return { name: 'projects' };
  if (p === '/admin/runners') return { name: 'runners' };
  const dash = /^\/(.+?)\/-\/(.*)$/.exec(p);
  if (dash) {
    const path = decodeURIComponent(dash[1] ?? '');
    const rest = dash[2] ?? '';
    let m: RegExpExecArray | null;
    if (rest === 'pipelines') return { name: 'pipelines', path };
    if ((m = /^pipelines\/(\d+)$/.exec(rest))) return { name: 'pipeline', path, id: Number(m[1]) };
    if ((m = /^jobs\/(\d+)$/.exec(rest))) return { name: 'job', path, id: Number(m[1]) };
    if (rest === 'settings/ci_cd') return { name: 'variables', path };
    if (rest === 'container_registry') return { name: 'registry', path };
    return { name: 'notFound' };
  }
  const project = /^\/([^/]+\/[^/]+)$/.exec(p);
  if (project) return { name: 'project', path: decodeURIComponent(project[1] ?? '') };
  return { name: 'notFound' };
}

export const urls = {
  project: (path: string) => `/${path}`,
  pipelines: (path: string) => `/${path}/-/pipelines`,
  pipeline: (path: string, id: number) => `/${path}/-/pipelines/${id}`,
  job: (path: string, id: number) => `/${path}/-/jobs/${id}`,
  variables: (path: string) => `/${path}/-/settings/ci_cd`,
  registry: (path: string) => `/${path}/-/container_registry`,
};

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** onClick for <a>: SPA navigation for plain left clicks on same-origin links. */
export function linkClick(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLElement).closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}
