// One stage by restarting the job container (gitlab-runner's way): attach, start, write the script
// to stdin, stream the output, return the exit code. Used for privileged job containers, where
// `docker exec` is not available on every engine (see exec-stage.ts for the faster default).
import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { StageResult } from '../executor.js';
import { ExecutorError } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';

function sinkWriter(sink: LogSink): Writable {
  return new Writable({ write(chunk: Buffer, _enc, done) { sink.write(chunk); done(); } });
}

export async function restartStage(docker: Docker, container: Docker.Container, image: string, script: string, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
  const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  docker.modem.demuxStream(stream, sinkWriter(sink), sinkWriter(sink));
  try {
    await container.start();
  } catch (err) {
    (stream as unknown as { destroy(): void }).destroy();
    const message = ((err as { json?: { message?: string } }).json?.message ?? (err as Error).message).trim();
    if (/executable file not found|no such file or directory/i.test(message)) {
      throw new ExecutorError(`the job image "${image}" cannot run the job script: it has no shell (Drydock runs sh, which starts bash when the image has it). Use an image with sh or bash. Docker said: ${message}`, 'script_failure', { cause: err });
    }
    throw new ExecutorError(`cannot start the job container: ${message}`, 'runner_system_failure', { cause: err });
  }
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
    stream.end(script.endsWith('\n') ? script : `${script}\n`);
    await ended;
    const { StatusCode } = (await container.wait({ condition: 'not-running' })) as { StatusCode: number };
    if (killedBy && StatusCode === 137) killedBy = 'SIGKILL';
    return killedBy ? { exitCode: StatusCode, signal: killedBy } : { exitCode: StatusCode };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function terminateChildren(container: Docker.Container): Promise<void> {
  try {
    const exec = await container.exec({ Cmd: ['sh', '-c', 'kill -TERM -1 2>/dev/null; true'], AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
    await new Promise((resolve) => setTimeout(resolve, 1000).unref());
  } catch {
    // No sh in the image, exec refused, or the container already stopped: docker stop does the rest.
  }
}
