// One stage as the job container's own process (gitlab-runner's way, and `docker run`'s): attach,
// start, write the script to stdin, stream the output, return the exit code. Compared with a
// waiting PID 1 plus `docker exec`, it saves the exec round trips and the kill at cleanup, since
// the container has exited by itself. A further stage restarts it.
//
// Two uses: a job with nothing but its script (created in prepare, started by step_script), and a
// job with services and no after_script, whose container starts in prepare behind STAGE_GATE while
// the services boot and gets its script the moment they are ready (see PendingStage).
import type Docker from 'dockerode';
import type { StageResult } from '../executor.js';
import { ExecutorError } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';
import { signalAllButPid1, streamEnded } from './docker-streams.js';
import { HeldOutput } from './held-output.js';

/** A stage process already running that waits for its script (an exec or the container itself). */
export interface PendingStage {
  run(script: string, sink: LogSink, signal: AbortSignal): Promise<StageResult>;
  /** Not needed after all (the job failed before its script): lets go of the connection. */
  discard(): void;
}

/**
 * Reads one line, then becomes the stage command (POSIX `read` takes no byte past the newline, so
 * the script that follows is left for the shell). The entrypoint runs after the gate opens: the
 * docker image's looks for the TLS client certificates that dind writes only at boot.
 */
export const STAGE_GATE = ['sh', '-c', 'read -r _ && exec "$@"', 'drydock-stage-gate'];

export class StartedStage implements PendingStage {
  private constructor(
    private readonly container: Docker.Container,
    private readonly stream: NodeJS.ReadWriteStream,
    private readonly ended: Promise<void>,
    private readonly output: HeldOutput,
    private readonly gated: boolean,
  ) {}

  /** Attaches (before the start, so no output is lost) and starts the container. */
  static async open(docker: Docker, container: Docker.Container, image: string, gated: boolean): Promise<StartedStage> {
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    const ended = streamEnded(stream);
    const output = new HeldOutput();
    docker.modem.demuxStream(stream, output, output);
    try {
      await container.start();
    } catch (err) {
      (stream as unknown as { destroy(): void }).destroy();
      throw startError(err, image);
    }
    return new StartedStage(container, stream, ended, output, gated);
  }

  async run(script: string, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    this.output.release(sink);
    const container = this.container;
    let killedBy: string | undefined;
    const onAbort = () => {
      killedBy = 'SIGTERM';
      // SIGTERM to every process but PID 1 first (the shell runs its trap only once its foreground
      // command ends), then `docker stop`: SIGTERM to PID 1, SIGKILL after 10 s.
      void terminateChildren(container).finally(() => container.stop({ t: 10 }).catch(() => {}));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) onAbort();
      this.stream.end(`${this.gated ? 'go\n' : ''}${script.endsWith('\n') ? script : `${script}\n`}`);
      await this.ended;
      const { StatusCode } = (await container.wait({ condition: 'not-running' })) as { StatusCode: number };
      if (killedBy && StatusCode === 137) killedBy = 'SIGKILL';
      return killedBy ? { exitCode: StatusCode, signal: killedBy } : { exitCode: StatusCode };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  discard(): void {
    (this.stream as unknown as { destroy(): void }).destroy();
  }
}

export async function startStage(docker: Docker, container: Docker.Container, image: string, script: string, sink: LogSink, signal: AbortSignal, gated = false): Promise<StageResult> {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  return (await StartedStage.open(docker, container, image, gated)).run(script, sink, signal);
}

/** The job container did not start: an image without a shell is the job's fault, anything else the system's. */
export function startError(err: unknown, image: string): ExecutorError {
  const message = ((err as { json?: { message?: string } }).json?.message ?? (err as Error).message).trim();
  if (/executable file not found|no such file or directory/i.test(message)) {
    return new ExecutorError(`the job image "${image}" cannot run the job script: it has no shell (Drydock runs sh, which starts bash when the image has it). Use an image with sh or bash. Docker said: ${message}`, 'script_failure', { cause: err });
  }
  return new ExecutorError(`cannot start the job container: ${message}`, 'runner_system_failure', { cause: err });
}

/** SIGTERM to every process but PID 1, then a second for them to end (if it could not be sent, docker stop does the rest). */
async function terminateChildren(container: Docker.Container): Promise<void> {
  if (await signalAllButPid1(container, 'TERM')) await new Promise((resolve) => setTimeout(resolve, 1000).unref());
}
