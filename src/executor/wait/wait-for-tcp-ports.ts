// Readiness of a service: the first of its TCP ports that accepts a connection. A refused
// connection comes back at once, so the loop reacts within a few milliseconds of the service
// starting to listen; the short back-off (5 ms, growing to 20 ms) only keeps a slow starter from
// burning a core (a refused connect on the local bridge costs microseconds).
import { probeTcpPort, type ProbeOutcome } from './probe-tcp-port.js';

export interface TcpWaitResult {
  /** The port that accepted first. */
  port: number;
  attempts: number;
}

export interface TcpWaitOptions {
  host: string;
  ports: readonly number[];
  /** Fires to give up (timeout, service exit, cancel). */
  signal: AbortSignal;
  /** Back-off bounds between rounds, in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves with the first port that accepts; rejects with the signal's reason when it fires. */
export async function waitForTcpPorts(opts: TcpWaitOptions): Promise<TcpWaitResult> {
  const { host, ports, signal } = opts;
  if (ports.length === 0) throw new Error('no ports to probe');
  let delay = opts.minDelayMs ?? 5;
  const maxDelay = opts.maxDelayMs ?? 20;
  for (let attempts = 1; ; attempts++) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const outcomes: ProbeOutcome[] = await Promise.all(ports.map((p) => probeTcpPort(host, p, 1000, signal)));
    const index = outcomes.indexOf('open');
    const port = ports[index];
    if (index >= 0 && port !== undefined) return { port, attempts };
    await abortableDelay(delay, signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
