// Small pieces every stage runner needs around Docker's hijacked streams and detached execs.
import type Docker from 'dockerode';

/** Resolves once the stream has ended, closed or failed (a stage's output is over). */
export function streamEnded(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

/**
 * Sends `sig` to every process of the container but PID 1 (a detached `sh -c 'kill -SIG -1'`).
 * False when it could not be sent: no sh in the image, exec refused, or the container is gone.
 */
export async function signalAllButPid1(container: Docker.Container, sig: 'TERM' | 'KILL'): Promise<boolean> {
  try {
    const exec = await container.exec({ Cmd: ['sh', '-c', `kill -${sig} -1 2>/dev/null; true`], AttachStdout: false, AttachStderr: false });
    drain(await exec.start({ Detach: true }));
    return true;
  } catch {
    return false;
  }
}

/**
 * The (empty) response of a detached exec start: read it to its end, or its socket stays open
 * and keeps drydock from exiting after a cancel.
 */
function drain(response: unknown): void {
  const r = response as { resume?: () => void; on?: (e: string, f: () => void) => void } | null;
  r?.on?.('error', () => {});
  r?.resume?.();
}
