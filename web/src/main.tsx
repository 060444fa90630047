// Entry: resolve the session, then route GitLab-style URLs to pages.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, loadSession, type Session } from './api.js';
import { AppContext } from './app-context.js';
import { JobPage } from './pages/job-page.js';
import { PipelinePage } from './pages/pipeline-page.js';
import { PipelinesPage } from './pages/pipelines-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RegistryPage } from './pages/registry-page.js';
import { RunnersPage } from './pages/runners-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { VariablesPage } from './pages/variables-page.js';
import { navigate, parseRoute, type Route } from './router.js';
import { Layout } from './ui/layout.js';
import './styles.css';

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'projects': return <ProjectsPage />;
    case 'runners': return <RunnersPage />;
    case 'project': return <ProjectPage path={route.path} />;
    case 'pipelines': return <PipelinesPage path={route.path} />;
    case 'pipeline': return <PipelinePage path={route.path} id={route.id} />;
    case 'job': return <JobPage path={route.path} id={route.id} />;
    case 'variables': return <VariablesPage path={route.path} />;
    case 'registry': return <RegistryPage path={route.path} />;
    default: return <><h1>Page not found</h1><p>There is nothing at this address.</p></>;
  }
}

function signInUrl(): string {
  const back = location.pathname + location.search + location.hash;
  return back === '/' || back.startsWith('/users/sign_in') ? '/users/sign_in' : `/users/sign_in?redirect_to=${encodeURIComponent(back)}`;
}

function App() {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => { loadSession().then((s) => setSession(s ?? null), () => setSession(null)); }, []);
  useEffect(() => {
    if (session === null && route.name !== 'signIn') navigate(signInUrl(), true);
  }, [session, route.name]);
  const app = useMemo(() => session ? {
    session,
    api: new Api(session.csrf_token, () => setSession(null)),
    signOut: () => {
      void fetch('/-/ui/session', { method: 'DELETE', headers: { 'x-csrf-token': session.csrf_token } })
        .finally(() => { setSession(null); navigate('/users/sign_in', true); });
    },
  } : undefined, [session]);

  if (route.name === 'signIn') {
    return <SignInPage onSignedIn={(s) => {
      setSession(s);
      const to = new URLSearchParams(location.search).get('redirect_to');
      navigate(to && to.startsWith('/') && !to.startsWith('//') ? to : '/', true);
    }} />;
  }
  if (!app) return <p class="muted" role="status" style="padding:2rem">Loading…</p>;
  return (
    <AppContext.Provider value={app}>
      <Layout route={route}><Page route={route} /></Layout>
    </AppContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
