// /users/sign_in: a personal access token in a password field; the server sets the session cookie.
import { useState } from 'preact/hooks';
import type { Session } from '../api.js';

export function SignInPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = new FormData(e.currentTarget as HTMLFormElement).get('token');
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch('/users/sign_in', {
        method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin',
        body: JSON.stringify({ token: typeof token === 'string' ? token : '' }),
      });
      const body = (await res.json().catch(() => ({}))) as Partial<Session> & { message?: string };
      if (!res.ok || !body.user || !body.csrf_token) throw new Error(body.message ?? `sign-in failed (${res.status})`);
      onSignedIn(body as Session);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <div class="card sign-in-card">
        <h1><span class="brand">Drydock</span> Sign in</h1>
        <p class="muted">Use a personal access token (<code>glpat-…</code>). The admin's first token is in the server's data directory.</p>
        <form onSubmit={submit}>
          <label for="token">Personal access token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'sign-in-error' : undefined} />
          {error && <p id="sign-in-error" class="error" role="alert">{error}</p>}
          <button class="btn btn-primary" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      </div>
    </main>
  );
}
