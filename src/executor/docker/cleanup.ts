// Removing what jobs left behind, found by label: a finished run's objects (always, on success,
// failure, timeout and cancel), and objects whose drydock process died (a crash, a kill -9),
// removed by `drydock cleanup` and when the next run starts. Objects of live runs, on this or
// another machine, are never touched unless `all` is asked for.
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { LABELS } from './container-names.js';

export interface RemovalReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  errors: string[];
}

/** `<hostname>:<pid>` of this process, stored in every object's owner label. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Whether the process named by an owner label may still be running. Other machines: assume yes. */
export function ownerAlive(owner: string | undefined, thisHost = hostname()): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== thisHost) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const empty = (): RemovalReport => ({ containers: [], networks: [], volumes: [], errors: [] });

async function removeMatching(docker: Docker, labelFilters: string[], keep: (labels: Record<string, string>) => boolean, signal: AbortSignal, includeLayerCache: boolean): Promise<RemovalReport> {
  const report = empty();
  const filters = JSON.stringify({ label: labelFilters });
  // One round trip for the three lists; networks and volumes go once their containers are gone.
  const [containers, networks, volumeList] = await Promise.all([
    docker.listContainers({ all: true, filters, abortSignal: signal }),
    docker.listNetworks({ filters, abortSignal: signal }),
    docker.listVolumes({ filters, abortSignal: signal }),
  ]);
  await Promise.all(containers.filter((c) => !keep(c.Labels ?? {})).map(async (c) => {
    try {
      await docker.getContainer(c.Id).remove({ force: true, v: true, abortSignal: signal });
      report.containers.push(c.Names?.[0]?.replace(/^\//, '') ?? c.Id);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) report.errors.push(`container ${c.Id.slice(0, 12)}: ${(err as Error).message}`);
    }
  }));
  const removeNetworks = networks.filter((n) => !keep(n.Labels ?? {})).map(async (n) => {
    try {
      await docker.getNetwork(n.Id).remove({ abortSignal: signal });
      report.networks.push(n.Name);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) report.errors.push(`network ${n.Name}: ${(err as Error).message}`);
    }
  });
  const volumes = volumeList.Volumes ?? [];
  const removeVolumes = volumes.filter((v) => !keep(v.Labels ?? {}) && (includeLayerCache || v.Labels?.[LABELS.type] !== 'layer-cache')).map(async (v) => {
    try {
      await docker.getVolume(v.Name).remove({ abortSignal: signal });
      report.volumes.push(v.Name);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) report.errors.push(`volume ${v.Name}: ${(err as Error).message}`);
    }
  });
  await Promise.all([...removeNetworks, ...removeVolumes]);
  return report;
}

/** Everything one run created (idempotent). */
export function removeRunObjects(docker: Docker, runId: string, signal: AbortSignal): Promise<RemovalReport> {
  return removeMatching(docker, [`${LABELS.runId}=${runId}`], () => false, signal, false);
}

/**
 * Objects of runs whose drydock process is gone. With `all`, every drydock object, live or not.
 * Layer-cache volumes (B1) stay unless `includeLayerCache`.
 */
export function removeOrphans(docker: Docker, opts: { all?: boolean; includeLayerCache?: boolean; signal: AbortSignal }): Promise<RemovalReport> {
  const keep = (labels: Record<string, string>) => !opts.all && labels[LABELS.type] !== 'layer-cache' && ownerAlive(labels[LABELS.owner]);
  const keepCache = (labels: Record<string, string>) => labels[LABELS.type] === 'layer-cache' ? !opts.includeLayerCache : keep(labels);
  return removeMatching(docker, [`${LABELS.managed}=true`], keepCache, opts.signal, opts.includeLayerCache ?? false);
}
