// The floors for bench (b), taken through the Engine API (dockerode) so no CLI start-up is counted:
// - dind alone: `start` of an already created dind container (TLS, pre-made certificates) until
//   2376 accepts: what the target is measured against;
// - the same Docker objects by hand: a user-defined network, then the dind service (alias docker)
//   and a job container created and started in parallel on it, until 2376 accepts. It is what a
//   job with a per-job network needs at least on this engine, with no script, log or executor.
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

const DIND_IMAGE = 'docker:20.10.16-dind';
const JOB_IMAGE = 'docker:20.10.16';

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function untilAccepts(host: string, port: number): Promise<void> {
  while (!(await accepts(host, port))) await new Promise((r) => setTimeout(r, 10));
}

const sinceMs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function dindOptions(certs: string, network?: string): Docker.ContainerCreateOptions {
  return {
    Image: DIND_IMAGE, Env: ['DOCKER_TLS_CERTDIR=/certs'],
    HostConfig: { Privileged: true, Binds: [`${certs}:/certs`], ...(network ? { NetworkMode: network } : {}) },
    ...(network ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['docker'] } } } } : {}),
  };
}

export async function dindAlone(docker: Docker, certs: string): Promise<number> {
  const dind = await docker.createContainer(dindOptions(certs));
  try {
    const t0 = process.hrtime.bigint();
    await dind.start();
    const ip = (await dind.inspect()).NetworkSettings.Networks['bridge']?.IPAddress ?? '';
    await untilAccepts(ip, 2376);
    return sinceMs(t0);
  } finally {
    await dind.remove({ force: true, v: true });
  }
}

export async function sameObjectsByHand(docker: Docker, certs: string): Promise<number> {
  const name = `drydock-bench-${randomBytes(4).toString('hex')}`;
  const t0 = process.hrtime.bigint();
  const network = await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true });
  const containers: Docker.Container[] = [];
  try {
    const [dind, job] = await Promise.all([
      docker.createContainer(dindOptions(certs, name)),
      docker.createContainer({
        Image: JOB_IMAGE, Entrypoint: ['sleep'], Cmd: ['600'],
        HostConfig: { Privileged: true, Binds: [`${certs}:/certs`], NetworkMode: name },
        NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: ['build'] } } },
      }),
    ]);
    containers.push(dind, job);
    await Promise.all([dind.start(), job.start()]);
    const ip = (await dind.inspect()).NetworkSettings.Networks[name]?.IPAddress ?? '';
    await untilAccepts(ip, 2376);
    return sinceMs(t0);
  } finally {
    await Promise.all(containers.map((c) => c.remove({ force: true, v: true })));
    await network.remove();
  }
}
