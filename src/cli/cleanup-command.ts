// `drydock cleanup`: removes Docker containers, networks and volumes that drydock runs left
// behind when their process died (a crash, kill -9, a reboot). Objects of runs still going are
// kept unless --all. Layer-cache volumes (--docker-layer-cache) stay unless --layer-cache.
import type { CommandRegistrar } from './command-registrar.js';
import { DockerExecutor } from '../executor/docker/docker-executor.js';

const register: CommandRegistrar = (program, setExitCode) => {
  program
    .command('cleanup')
    .description('remove Docker containers, networks and volumes left by drydock runs that ended abnormally')
    .option('--all', 'also remove objects of drydock runs that are still going')
    .option('--layer-cache', 'also remove the persistent Docker layer cache volumes')
    .option('--docker-host <url>', 'Docker engine (default: $DOCKER_HOST or the local socket)')
    .action(async (opts: { all?: boolean; layerCache?: boolean; dockerHost?: string }) => {
      const executor = new DockerExecutor({ removeOrphansAtStart: false, ...(opts.dockerHost ? { connection: { host: opts.dockerHost } } : {}) });
      try {
        const report = await executor.removeLeftovers({ all: opts.all === true, includeLayerCache: opts.layerCache === true, signal: AbortSignal.timeout(5 * 60_000) });
        for (const c of report.containers) process.stdout.write(`removed container ${c}\n`);
        for (const n of report.networks) process.stdout.write(`removed network ${n}\n`);
        for (const v of report.volumes) process.stdout.write(`removed volume ${v}\n`);
        const total = report.containers.length + report.networks.length + report.volumes.length;
        process.stdout.write(total === 0 ? 'nothing to clean up\n' : `removed ${total} object(s)\n`);
        for (const e of report.errors) process.stderr.write(`drydock cleanup: ${e}\n`);
        setExitCode(report.errors.length > 0 ? 1 : 0);
      } catch (err) {
        process.stderr.write(`drydock cleanup: cannot reach the Docker engine: ${(err as Error).message}\n`);
        setExitCode(1);
      }
    });
};

export default register;
