// B2 for `drydock server --registry-mirror-upstream URL`: a pull-through mirror of an upstream
// registry on a listener of its own, next to the coordinator's port.
//
// Why a separate listener and not a path on the main port: dockerd's `--registry-mirror` takes a
// registry ROOT and asks it for Docker Hub names (`/v2/library/busybox/manifests/latest`). On the
// coordinator's port those names would share /v2/ with the projects' images and its token auth
// (every request would need a JWT, and `library/busybox` would be checked as a project path). The
// mirror is pull-only and anonymous: bind it where only job networks and dind services reach it.
// Storage is separate too (<data>/registry-mirror), so `drydock registry gc` of project images
// never sees cached upstream content and the mirror can be wiped at will.
import path from 'node:path';
import { allowAll, createFsStorage, createRegistryServer, PullThroughCache } from '../../registry/index.js';

export interface RegistryMirrorOptions {
  dataDir: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Upstream registry root, e.g. https://registry-1.docker.io. */
  upstream: string;
  upstreamUsername?: string;
  upstreamPassword?: string;
  log: (line: string) => void;
}

export interface RunningRegistryMirror {
  /** http://host:port of the mirror (for `[runners.docker] registry_mirror`). */
  url: string;
  close(): Promise<void>;
}

export async function startRegistryMirror(o: RegistryMirrorOptions): Promise<RunningRegistryMirror> {
  const storage = await createFsStorage(path.join(o.dataDir, 'registry-mirror'));
  const cache = new PullThroughCache(storage, {
    url: o.upstream, ...(o.upstreamUsername !== undefined ? { username: o.upstreamUsername, password: o.upstreamPassword ?? '' } : {}),
  }, o.log);
  const server = await createRegistryServer({ storage, auth: allowAll(), pullThrough: cache, logger: { error: (m, e) => o.log(`${m}: ${String(e)}`) } });
  try {
    const bound = await server.listen({ host: o.host, port: o.port });
    return { url: bound.url, close: () => server.close() };
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
}
