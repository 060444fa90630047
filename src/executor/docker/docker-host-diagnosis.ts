// Diagnoses, before the script runs, the two failures GitLab's Docker guide lists under
// troubleshooting: "Cannot connect to the Docker daemon at tcp://docker:2375" (the client and the
// dind service disagree about TLS) and "lookup docker … no such host" (the dind service is not
// reachable as `docker`). Pure: the caller supplies what it observed.
import { parseImageReference } from './service-aliases.js';

export interface ObservedService {
  image: string;
  aliases: string[];
  exposedTcpPorts: number[];
  /** The port that accepted during the readiness wait, if any. */
  openPort?: number;
}

export interface DockerHostFacts {
  /** The job's DOCKER_HOST variable, if set. */
  dockerHost?: string;
  /** The job's DOCKER_TLS_CERTDIR variable (undefined = not set; the dind image defaults it to /certs). */
  tlsCertDir?: string;
  services: ObservedService[];
  /** Container paths of the volumes shared by the job and its services. */
  volumeTargets: string[];
  /** Whether DOCKER_HOST's port accepted a connection on the service it names (checked once). */
  dockerHostPortOpen?: boolean;
}

export function isDindImage(image: string, exposedTcpPorts: readonly number[]): boolean {
  const { repository, tag } = parseImageReference(image);
  const base = repository.split('/').at(-1) ?? '';
  return (base === 'docker' && (tag ?? '').includes('dind')) || exposedTcpPorts.includes(2375) || exposedTcpPorts.includes(2376);
}

function parseTcp(dockerHost: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(dockerHost.trim());
  if (!m || m[1] === undefined) return undefined;
  return { host: m[1], port: m[2] ? Number(m[2]) : 2375 };
}

/** Human-readable problems, each naming the service, what was seen and the fix. Empty = fine. */
export function diagnoseDockerHost(f: DockerHostFacts): string[] {
  const problems: string[] = [];
  const dind = f.services.filter((s) => isDindImage(s.image, s.exposedTcpPorts));
  if (dind.length === 0) return problems;
  const target = f.dockerHost ? parseTcp(f.dockerHost) : undefined;
  const wantedHost = target?.host ?? (f.dockerHost ? undefined : 'docker');
  const named = wantedHost ? f.services.find((s) => s.aliases.includes(wantedHost)) : undefined;

  if (wantedHost && !named && !['localhost', '127.0.0.1'].includes(wantedHost)) {
    const list = dind.map((s) => `"${s.image}" is reachable as ${s.aliases.join(', ') || '(no alias)'}`).join('; ');
    const how = f.dockerHost ? `DOCKER_HOST is ${f.dockerHost}` : 'DOCKER_HOST is not set, so the docker image\'s entrypoint points the client at tcp://docker:2375 or :2376';
    problems.push(`No service is reachable as "${wantedHost}": ${how}, but ${list}. The docker client will fail with "lookup ${wantedHost} … no such host". Fix: give the service \`alias: ${wantedHost}\`.`);
  }

  if (target && named && named.openPort !== undefined && f.dockerHostPortOpen === false) {
    const tls = f.tlsCertDir === undefined ? 'DOCKER_TLS_CERTDIR is not set, so the dind image uses its default "/certs" and serves TLS on 2376' : f.tlsCertDir === '' ? 'DOCKER_TLS_CERTDIR is "", so the dind service serves plain TCP on 2375' : `DOCKER_TLS_CERTDIR is "${f.tlsCertDir}", so the dind service serves TLS on 2376`;
    const fix = target.port === 2375
      ? 'Fix: either set DOCKER_TLS_CERTDIR: "" to run dind without TLS on 2375, or use DOCKER_HOST: tcp://docker:2376 with DOCKER_TLS_CERTDIR: "/certs" and a /certs/client volume.'
      : 'Fix: either use DOCKER_HOST: tcp://docker:2375 when DOCKER_TLS_CERTDIR is "", or set DOCKER_TLS_CERTDIR: "/certs" for TLS on 2376.';
    problems.push(`DOCKER_HOST is ${f.dockerHost}, but service "${named.image}" (aliases ${named.aliases.join(', ')}) accepts connections on port ${named.openPort}, not ${target.port}: ${tls}. The docker client will fail with "Cannot connect to the Docker daemon at ${f.dockerHost}". ${fix}`);
  }

  const tlsOn = dind.some((s) => s.openPort === 2376);
  const certDir = f.tlsCertDir ?? '/certs';
  if (tlsOn && certDir !== '' && !f.volumeTargets.some((t) => t === `${certDir}/client` || t === certDir)) {
    problems.push(`The dind service serves TLS on 2376 and writes client certificates to ${certDir}/client, but no volume shares ${certDir}/client with the job container, so the client cannot use TLS (expect "certificate signed by unknown authority" or a plain-TCP fallback). Fix: add the volume "${certDir}/client" (drydock run --docker-volumes ${certDir}/client, or volumes = ["${certDir}/client"] in [runners.docker]).`);
  }
  return problems;
}
