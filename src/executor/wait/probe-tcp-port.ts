// One TCP connection attempt: did something accept on host:port? Never throws.
import { connect } from 'node:net';

export type ProbeOutcome = 'open' | 'refused' | 'unreachable' | 'timeout';

export function probeTcpPort(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('timeout');
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () => finish('timeout');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'refused' : 'unreachable'));
  });
}
