// The job payload's `credentials` (GitLab's Ci::Build#credentials: `{type: "registry", url:
// CI_REGISTRY, username: "gitlab-ci-token", password: <job token>}`) in the shape of a Docker config
// file, so the runner can offer them to the executor as its last credential source, after
// $DOCKER_AUTH_CONFIG and ~/.docker/config.json (gitlab-runner's helpers/docker/auth order; it logs
// the source as "job payload (GitLab Registry)").
import type { PayloadCredential } from './job-payload.js';

export const PAYLOAD_CREDENTIALS_SOURCE = 'job payload (GitLab Registry)';

export interface PayloadDockerConfig {
  auths: Record<string, { username: string; password: string; auth: string }>;
}

/** Registry credentials as `{auths: {host: {...}}}`; undefined when the payload has none. */
export function dockerConfigFromCredentials(credentials: readonly PayloadCredential[] | null | undefined): PayloadDockerConfig | undefined {
  const auths: PayloadDockerConfig['auths'] = {};
  for (const c of credentials ?? []) {
    // Other types (none today) are not for image pulls; an empty url names no registry.
    if (c.type !== 'registry' || c.url === '') continue;
    const host = c.url.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    // The first entry for a host wins, as in gitlab-runner's credentials loop.
    auths[host] ??= { username: c.username, password: c.password, auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
  }
  return Object.keys(auths).length > 0 ? { auths } : undefined;
}
