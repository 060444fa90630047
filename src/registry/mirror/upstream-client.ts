// The pull-through mirror's client for its upstream registry: GETs and HEADs under /v2/ with
// Docker's auth dance done for it (a 401 Bearer challenge → token from the realm, with Basic
// credentials when configured, cached per scope until it expires; a Basic challenge → Basic).
// Docker Hub's single-component names are official images: `alpine` is `library/alpine` there.

export interface UpstreamOptions {
  /** e.g. https://registry-1.docker.io or http://10.0.0.5:5000 */
  url: string;
  username?: string;
  password?: string;
}

interface CachedToken { value: string; expiresAt: number }

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** Parses `Bearer realm="..",service="..",scope=".."` (or `Basic realm=..`) into its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1].toLowerCase(), params };
}

export class UpstreamClient {
  private readonly base: URL;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: UpstreamOptions) {
    this.base = new URL(options.url.replace(/\/+$/, ''));
  }

  get url(): string {
    return this.base.toString().replace(/\/+$/, '');
  }

  /** The repository name upstream (Docker Hub's `library/` for official images). */
  upstreamName(name: string): string {
    return DOCKER_HUB_HOSTS.has(this.base.hostname) && !name.includes('/') ? `library/${name}` : name;
  }

  /** `path` is below the repository, e.g. `manifests/latest` or `blobs/sha256:...`. */
  async request(name: string, path: string, init: { method: 'GET' | 'HEAD'; headers?: Record<string, string> }, signal: AbortSignal): Promise<Response> {
    const repository = this.upstreamName(name);
    const url = `${this.url}/v2/${repository}/${path}`;
    const scope = `repository:${repository}:pull`;
    const send = (auth?: string) => fetch(url, { method: init.method, headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) }, redirect: 'follow', signal });
    const cached = this.tokens.get(scope);
    const first = await send(cached && cached.expiresAt > Date.now() ? `Bearer ${cached.value}` : undefined);
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
    await first.body?.cancel();
    if (challenge?.scheme === 'basic' && this.options.username !== undefined) return send(this.basic());
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return send();
    const token = await this.fetchToken(challenge.params.realm, challenge.params.service, scope, signal);
    return send(`Bearer ${token}`);
  }

  private basic(): string {
    return `Basic ${Buffer.from(`${this.options.username ?? ''}:${this.options.password ?? ''}`).toString('base64')}`;
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string, signal: AbortSignal): Promise<string> {
    const q = new URLSearchParams();
    if (service) q.set('service', service);
    q.set('scope', scope);
    const res = await fetch(`${realm}${realm.includes('?') ? '&' : '?'}${q}`, {
      headers: this.options.username !== undefined ? { authorization: this.basic() } : {}, signal,
    });
    if (!res.ok) throw new Error(`upstream token server ${realm} answered ${res.status}`);
    const body = (await res.json()) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new Error(`upstream token server ${realm} returned no token`);
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 60;
    this.tokens.set(scope, { value: token, expiresAt: Date.now() + Math.max(lifetime - 10, 5) * 1000 });
    return token;
  }
}
