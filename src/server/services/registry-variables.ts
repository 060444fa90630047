// CI_REGISTRY* job variables (server facts §4.4). The registry is served on the coordinator's own
// port, so by default CI_REGISTRY is the host:port of the external URL: that address must be
// reachable from job containers AND from the dockerd inside dind services. Use the host's own IP
// (`drydock server --host 0.0.0.0 --external-url http://<host IP>:8080`). Not 127.0.0.1/localhost
// (the container itself), and not the docker0 gateway 172.17.0.1 for dind jobs: dockerd inside
// dind creates its own docker0 on 172.17.0.0/16, which shadows the host's.
import type { JobVariable } from '../../pipeline/spec/job-spec.js';
import type { ProjectRecord } from '../store/store.js';

/** host[:port] of the registry for a server URL (the port only when the URL has one). */
export function registryHostOf(serverUrl: string): string {
  return new URL(serverUrl).host;
}

/**
 * CI_REGISTRY, CI_REGISTRY_IMAGE, CI_REGISTRY_USER, CI_REGISTRY_PASSWORD (the job token, masked).
 * `registryHost` null = the registry is off: no variables.
 */
export function registryVariables(serverUrl: string, project: ProjectRecord, jobToken: string, registryHost?: string | null): JobVariable[] {
  if (registryHost === null) return [];
  const host = registryHost ?? registryHostOf(serverUrl);
  const pub = (key: string, value: string): JobVariable => ({ key, value, public: true, masked: false, file: false, raw: false });
  return [
    pub('CI_REGISTRY', host),
    pub('CI_REGISTRY_IMAGE', `${host}/${project.fullPath.toLowerCase()}`),
    pub('CI_REGISTRY_USER', 'gitlab-ci-token'),
    { key: 'CI_REGISTRY_PASSWORD', value: jobToken, public: false, masked: true, file: false, raw: false },
  ];
}
