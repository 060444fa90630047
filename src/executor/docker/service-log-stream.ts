// CI_DEBUG_SERVICES=true: every service's output streams into the job log as it happens, one
// `[service:<aliases>] <line>` per line (gitlab-runner's inline service log writer), until the job's
// cleanup. The lines go through the job's sink, so masked values are masked there too.
import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { LogSink } from '../../shared/log-sink.js';
import { isGoTrue, lastValue } from '../../shared/variable-lookup.js';
import { streamEnded } from './docker-streams.js';
import type { StartedService } from './services.js';

export function debugServicesEnabled(variables: ReadonlyArray<{ key: string; value: string }>): boolean {
  return isGoTrue(lastValue(variables, 'CI_DEBUG_SERVICES'));
}

/** Follows each service's logs from its start; stops when `signal` fires. Never throws. */
export function streamServiceLogs(docker: Docker, services: readonly StartedService[], sink: LogSink, signal: AbortSignal): void {
  for (const service of services) {
    const name = service.aliases.join('-') || service.image;
    void follow(docker, service.container, `[service:${name}] `, sink, signal).catch(() => undefined);
  }
}

async function follow(docker: Docker, container: Docker.Container, prefix: string, sink: LogSink, signal: AbortSignal): Promise<void> {
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true, abortSignal: signal })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let partial = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      if (lines.length > 0) sink.write(lines.map((line) => `${prefix}${line.replace(/\r$/, '')}\n`).join(''));
      done();
    },
  });
  const ended = streamEnded(stream);
  const stop = () => stream.destroy();
  signal.addEventListener('abort', stop, { once: true });
  docker.modem.demuxStream(stream, out, out);
  await ended;
  signal.removeEventListener('abort', stop);
  if (partial !== '' && !signal.aborted) sink.write(`${prefix}${partial}\n`);
}
