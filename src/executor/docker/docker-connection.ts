// One Docker client per executor (no singleton), built from gitlab-runner's connection settings:
// `host` (else $DOCKER_HOST, else the local socket), `tls_cert_path`, `tls_verify`.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DockerConnection {
  host?: string;
  tlsCertPath?: string;
  tlsVerify?: boolean;
}

export function connectDocker(conn: DockerConnection = {}, env: NodeJS.ProcessEnv = process.env): Docker {
  const host = conn.host ?? env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('/')) return new Docker({ socketPath: host });
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  const certPath = conn.tlsCertPath ?? env.DOCKER_CERT_PATH;
  const tls = conn.tlsVerify ?? (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0');
  if (certPath && (tls || url.port === '2376')) {
    return new Docker({
      protocol: 'https', host: url.hostname, port: Number(url.port || 2376),
      ca: readFileSync(join(certPath, 'ca.pem')), cert: readFileSync(join(certPath, 'cert.pem')), key: readFileSync(join(certPath, 'key.pem')),
    });
  }
  return new Docker({ protocol: 'http', host: url.hostname, port: Number(url.port || 2375) });
}

/** Whether the engine runs on this machine, so bind paths and container IPs are this machine's. */
export function dockerIsLocal(conn: DockerConnection = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  const host = conn.host ?? env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return host.startsWith('unix://') || host.startsWith('/') || /^tcp:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(host);
}
