// The HTTP API as the page uses it: same-origin fetch with the session cookie, plus the CSRF
// header on changes. A 401 means the session ended: the app sends the person to sign in.
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Page<T> {
  items: T;
  nextPage: number | undefined;
  total: number | undefined;
}

function messageOf(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown };
    const m = b.message ?? b.error;
    if (typeof m === 'string') return m;
    if (m && typeof m === 'object') return Object.entries(m).map(([k, v]) => `${k} ${[v].flat().join(', ')}`).join('; ');
  }
  return `request failed (${status})`;
}

export class Api {
  constructor(private readonly csrf: string, private readonly onUnauthorized: () => void) {}

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) {
      const parsed: unknown = await res.json().catch(() => undefined);
      throw new ApiError(res.status, messageOf(parsed, res.status));
    }
    return res;
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.request('GET', path, undefined, signal)).json() as Promise<T>;
  }

  /** A list with GitLab's paging headers. */
  async page<T>(path: string, signal?: AbortSignal): Promise<Page<T>> {
    const res = await this.request('GET', path, undefined, signal);
    const num = (h: string) => {
      const v = res.headers.get(h);
      return v ? Number(v) : undefined;
    };
    return { items: (await res.json()) as T, nextPage: num('x-next-page'), total: num('x-total') };
  }

  async send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> {
    const res = await this.request(method, path, body);
    return res.status === 204 ? undefined : ((await res.json()) as T);
  }

  async text(path: string, signal?: AbortSignal): Promise<ArrayBuffer> {
    return (await this.request('GET', path, undefined, signal)).arrayBuffer();
  }
}

export interface Session {
  user: { id: number; username: string; name: string; is_admin: boolean };
  csrf_token: string;
}

export async function loadSession(): Promise<Session | undefined> {
  const res = await fetch('/-/ui/session', { credentials: 'same-origin' });
  return res.ok ? ((await res.json()) as Session) : undefined;
}

export const enc = (s: string | number) => encodeURIComponent(String(s));
