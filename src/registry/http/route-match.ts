// Maps a raw /v2 request path to a registry route. Repository names contain slashes, so routes
// are matched from the right; the path is taken raw (never URL-normalized, which would resolve
// `..`) and every name is validated, which is what stops path traversal.
import { RegistryError } from '../errors.js';
import { assertRepositoryName } from '../reference.js';

export type RouteMatch =
  | { route: 'base' }
  | { route: 'catalog' }
  | { route: 'tags'; name: string }
  | { route: 'manifest'; name: string; reference: string }
  | { route: 'blob'; name: string; digest: string }
  | { route: 'uploads'; name: string }
  | { route: 'upload'; name: string; id: string }
  | { route: 'referrers'; name: string; digest: string };

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => RouteMatch]> = [
  [/^(.+)\/blobs\/uploads\/?$/, (m) => ({ route: 'uploads', name: m[1]! })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ route: 'upload', name: m[1]!, id: m[2]! })],
  [/^(.+)\/blobs\/([^/]+)$/, (m) => ({ route: 'blob', name: m[1]!, digest: m[2]! })],
  [/^(.+)\/manifests\/([^/]+)$/, (m) => ({ route: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^(.+)\/tags\/list\/?$/, (m) => ({ route: 'tags', name: m[1]! })],
  [/^(.+)\/referrers\/([^/]+)$/, (m) => ({ route: 'referrers', name: m[1]!, digest: m[2]! })],
];

/** Splits `/v2/...?query` into the route and its query; undefined when it is no registry route. */
export function matchRoute(rawUrl: string): { match: RouteMatch; query: URLSearchParams } | undefined {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
  if (!rawPath.startsWith('/v2/') && rawPath !== '/v2') return undefined;
  let rest: string;
  try {
    rest = decodeURIComponent(rawPath.slice(4));
  } catch {
    throw new RegistryError('NAME_INVALID', 'the request path is not valid percent-encoding');
  }
  if (rest === '') return { match: { route: 'base' }, query };
  if (rest === '_catalog') return { match: { route: 'catalog' }, query };
  for (const [pattern, build] of PATTERNS) {
    const m = pattern.exec(rest);
    if (!m) continue;
    const match = build(m);
    if ('name' in match) assertRepositoryName(match.name);
    return { match, query };
  }
  // Something under /v2/ that is no route: if it walks or holds odd characters, say so clearly.
  if (/(^|\/)\.\.?(\/|$)/.test(rest) || rest.includes('\\')) assertRepositoryName(rest);
  return undefined;
}
