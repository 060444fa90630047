// Which credentials pull an image, following gitlab-runner's helpers/docker/auth: sources in
// precedence order ($DOCKER_AUTH_CONFIG, then ~/.docker/config.json), keys normalised, and the
// image path walked up to its registry so path-scoped credentials win. Pure except `readHelper`.
import { parseImageReference } from './service-aliases.js';

export interface DockerConfigEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerConfigEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface CredentialSource {
  /** `$DOCKER_AUTH_CONFIG` or a file path, shown in the log. */
  name: string;
  config: DockerConfigFile;
}

export type CredentialMatch =
  | { kind: 'auth'; source: string; key: string; username: string; password: string; serverAddress: string; identityToken?: string }
  | { kind: 'helper'; source: string; key: string; helper: string; serverAddress: string };

/** Image → registry path: no tag, lower-case host, Docker Hub names prefixed `docker.io/`. */
export function registryPath(image: string): string {
  const { repository } = parseImageReference(image);
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return `docker.io/${repository}`;
  const host = first.toLowerCase() === 'index.docker.io' ? 'docker.io' : first.toLowerCase();
  return `${host}${repository.slice(slash)}`;
}

/** Credential key → comparable path: URLs keep only the host; index.docker.io is docker.io. */
export function normalizeCredentialKey(key: string): string {
  let k = key.trim();
  if (/^https?:\/\//i.test(k)) {
    k = k.replace(/^https?:\/\//i, '').split('/')[0] ?? '';
    k = k.toLowerCase();
    return k === 'index.docker.io' || k === 'registry-1.docker.io' ? 'docker.io' : k;
  }
  // A bare key is a host (`localhost:5000`); only a path can carry a tag.
  const repository = k.includes('/') ? parseImageReference(k).repository : k;
  const slash = repository.indexOf('/');
  const host = (slash < 0 ? repository : repository.slice(0, slash)).toLowerCase();
  const rest = slash < 0 ? '' : repository.slice(slash);
  return `${host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host}${rest}`;
}

/** `reg/a/b/img` → [`reg/a/b/img`, `reg/a/b`, `reg/a`, `reg`]. */
function ancestry(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

function decodeAuth(entry: DockerConfigEntry): { username: string; password: string } | undefined {
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** First source, then longest path, wins. Returns undefined when nothing matches (anonymous pull). */
export function findCredentials(image: string, sources: readonly CredentialSource[]): CredentialMatch | undefined {
  const candidates = ancestry(registryPath(image));
  const host = candidates.at(-1) ?? '';
  const serverAddress = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  for (const source of sources) {
    const auths = Object.entries(source.config.auths ?? {}).map(([key, entry]) => ({ key, norm: normalizeCredentialKey(key), entry }));
    for (const path of candidates) {
      const hit = auths.find((a) => a.norm === path);
      if (!hit) continue;
      const creds = decodeAuth(hit.entry);
      if (creds) {
        return { kind: 'auth', source: source.name, key: hit.key, ...creds, serverAddress, ...(hit.entry.identitytoken ? { identityToken: hit.entry.identitytoken } : {}) };
      }
    }
    const helpers = Object.entries(source.config.credHelpers ?? {}).map(([key, helper]) => ({ key, norm: normalizeCredentialKey(key), helper }));
    const helper = helpers.find((h) => h.norm === host);
    if (helper) return { kind: 'helper', source: source.name, key: helper.key, helper: helper.helper, serverAddress: helper.key };
    if (source.config.credsStore) return { kind: 'helper', source: source.name, key: host, helper: source.config.credsStore, serverAddress: host === 'docker.io' ? 'https://index.docker.io/v1/' : host };
  }
  return undefined;
}

/** Parses a config.json text; the error names the source so the user can find it. */
export function parseDockerConfig(text: string, sourceName: string): DockerConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${sourceName} is not valid JSON (${err instanceof Error ? err.message : String(err)}); it must hold a Docker config.json such as {"auths":{"registry.example.com":{"auth":"<base64 user:password>"}}}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${sourceName} must be a JSON object with "auths", "credHelpers" or "credsStore"`);
  }
  const v = value as Record<string, unknown>;
  const out: DockerConfigFile = {};
  if (typeof v.auths === 'object' && v.auths !== null) out.auths = v.auths as Record<string, DockerConfigEntry>;
  if (typeof v.credHelpers === 'object' && v.credHelpers !== null) out.credHelpers = v.credHelpers as Record<string, string>;
  if (typeof v.credsStore === 'string') out.credsStore = v.credsStore;
  return out;
}

/** A credential helper name must be a bare name (gitlab-runner rejects paths as traversal). */
export function helperProblem(helper: string): string | undefined {
  return /^[A-Za-z0-9_.-]+$/.test(helper) ? undefined : `credential helper name "${helper}" is not a plain name`;
}
