// CI_DEBUG_SERVICES=true: every service's output streams into the job log as it happens, one
// `[service:<aliases>] <line>` per line (gitlab-runner's inline service log writer), until the job's
// cleanup. The lines go through the job's sink, so masked values are masked there too.
import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { LogSink } from '../../shared/log-sink.js';
import type { StartedService } from './services.js';

/** gitlab-runner's rule (Go's strconv.ParseBool): 1, t, T, TRUE, true, True. */
export function debugServicesEnabled(variables: ReadonlyArray<{ key: string; value: string }>): boolean {
  const value = [...variables].reverse().find((v) => v.key === 'CI_DEBUG_SERVICES')?.value ?? '';
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

/** Follows each service's logs from its start; stops when `signal` fires. Never throws. */
export function streamServiceLogs(docker: Docker, services: readonly StartedService[], sink: LogSink, signal: AbortSignal): void {
  for (const service of services) {
    const name = [service.aliases[0] ?? service.image, ...service.aliases.slice(1)].join('-');
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
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  const stop = () => stream.destroy();
  signal.addEventListener('abort', stop, { once: true });
  docker.modem.demuxStream(stream, out, out);
  await ended;
  signal.removeEventListener('abort', stop);
  if (partial !== '' && !signal.aborted) sink.write(`${prefix}${partial}\n`);
}
