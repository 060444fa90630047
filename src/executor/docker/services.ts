// Services: create and start each one on the job network, then wait for all of them at once.
// Readiness is event-driven: TCP connects from this host to the service's address on the
// job's bridge network race against Docker's "container stopped" wait and the timeout, so a
// service that dies is reported at once and a ready one is seen within milliseconds.
import type Docker from 'dockerode';
import { ExecutorError } from '../executor.js';
import { probeTcpPort } from '../wait/probe-tcp-port.js';
import { waitForReadiness } from '../wait/wait-for-readiness.js';
import { waitForTcpPorts } from '../wait/wait-for-tcp-ports.js';
import { lastLogLines } from './container-logs.js';
import { portsToProbe, serviceContainerOptions, type ServiceContainerInput } from './create-options.js';

export interface StartedService {
  index: number;
  image: string;
  containerName: string;
  aliases: string[];
  exposedTcpPorts: number[];
  container: Docker.Container;
  env: string[];
}

export type ServiceState =
  | { kind: 'ready'; port: number; ms: number }
  | { kind: 'exited'; exitCode: number; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'no-ports' }
  | { kind: 'error'; message: string };

export interface ServiceReadiness {
  service: StartedService;
  ip?: string;
  probed: { ports: number[]; from: string };
  state: ServiceState;
}

export async function startService(docker: Docker, input: ServiceContainerInput, meta: Omit<StartedService, 'container' | 'env'>, signal: AbortSignal): Promise<StartedService> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer({ ...serviceContainerOptions(input), abortSignal: signal } as Docker.ContainerCreateOptions);
  } catch (err) {
    throw new ExecutorError(`cannot create service "${meta.image}" (services[${meta.index}]): ${(err as Error).message}`, 'runner_system_failure', { cause: err });
  }
  try {
    await container.start({ abortSignal: signal });
  } catch (err) {
    throw new ExecutorError(`service "${meta.image}" (services[${meta.index}]) failed to start: ${(err as Error).message}`, 'runner_system_failure', { cause: err });
  }
  return { ...meta, container, env: input.env };
}

async function addressOn(container: Docker.Container, network: string, signal: AbortSignal): Promise<{ ip?: string; exitCode?: number }> {
  const info = await container.inspect({ abortSignal: signal });
  if (!info.State.Running) return { exitCode: info.State.ExitCode };
  const ip = info.NetworkSettings?.Networks?.[network]?.IPAddress;
  return ip ? { ip } : {};
}

/** Waits for every service in parallel; never throws for a service that is not ready. */
export async function waitForServices(services: readonly StartedService[], network: string, timeoutMs: number, signal: AbortSignal): Promise<ServiceReadiness[]> {
  return Promise.all(services.map(async (service): Promise<ServiceReadiness> => {
    const probed = portsToProbe(service.env, service.exposedTcpPorts);
    if (probed.ports.length === 0) return { service, probed, state: { kind: 'no-ports' } };
    const waitStop = new AbortController();
    const onAbort = () => waitStop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const { ip, exitCode } = await addressOn(service.container, network, signal);
      if (exitCode !== undefined) return { service, probed, state: { kind: 'exited', exitCode, ms: 0 } };
      if (!ip) return { service, probed, state: { kind: 'error', message: `the service has no address on network ${network}` } };
      const exited = service.container.wait({ abortSignal: waitStop.signal }) as unknown as Promise<{ StatusCode: number }>;
      const outcome = await waitForReadiness({
        ready: (s) => waitForTcpPorts({ host: ip, ports: probed.ports, signal: s }),
        exited,
        timeoutMs,
        signal,
      });
      const state: ServiceState = outcome.kind === 'ready' ? { kind: 'ready', port: outcome.value.port, ms: outcome.ms }
        : outcome.kind === 'exited' ? { kind: 'exited', exitCode: outcome.value.StatusCode, ms: outcome.ms }
          : outcome.kind === 'timeout' ? { kind: 'timeout', ms: outcome.ms }
            : { kind: 'error', message: outcome.error.message };
      return { service, ip, probed, state };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return { service, probed, state: { kind: 'error', message: (err as Error).message } };
    } finally {
      signal.removeEventListener('abort', onAbort);
      waitStop.abort();
    }
  }));
}

/** One connection attempt to `port` on a ready service (used to check DOCKER_HOST's port). */
export async function portAccepts(r: ServiceReadiness, port: number, signal: AbortSignal): Promise<boolean | undefined> {
  if (!r.ip) return undefined;
  return (await probeTcpPort(r.ip, port, 1000, signal)) === 'open';
}

/** GitLab's "probably didn't start properly" block, naming aliases, probes and the service's last log lines. */
export async function serviceWarningBlock(r: ServiceReadiness, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const s = r.state;
  const ports = r.probed.ports.map((p) => `${p}/tcp`).join(', ');
  const why = s.kind === 'ready' ? '' : s.kind === 'exited' ? `the service exited with code ${s.exitCode} after ${(s.ms / 1000).toFixed(1)} s, before any of its ports (${ports}) accepted a connection`
    : s.kind === 'timeout' ? `no connection to ${ports} (${r.probed.from}) was accepted within ${Math.round(timeoutMs / 1000)} s (wait_for_services_timeout)`
      : s.kind === 'no-ports' ? 'the image exposes no TCP port, so readiness cannot be checked; set HEALTHCHECK_TCP_PORT in the service\'s variables'
        : s.kind === 'error' ? s.message : '';
  const logs = await lastLogLines(r.service.container, 20, signal);
  return [
    `*** WARNING: Service ${r.service.image} (${r.service.containerName}) probably didn't start properly.`,
    '',
    `Aliases: ${r.service.aliases.join(', ')}`,
    `Probed: ${ports || '(nothing)'}${r.ip ? ` on ${r.ip}` : ''} (${r.probed.from})`,
    `Health check error: ${why}`,
    '',
    'Service container logs (last 20 lines):',
    logs || '(no output)',
    '',
    '*********',
    '',
  ].join('\n');
}
