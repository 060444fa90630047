// One stage in the job container. The container is started once per job with a shell that only
// waits (PID 1), and each stage is a `docker exec` of the image's entrypoint plus the shell
// detection command, with the script written to its stdin: gitlab-runner restarts the container
// per stage instead, which costs a full container start (~0.5 s) per stage. What a job can see is
// the same: the entrypoint runs before each stage (the docker image's sets DOCKER_HOST), files
// outside the builds dir survive from step_script to after_script, every stage is a new shell.
import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { StageResult } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';
import { signalAllButPid1, streamEnded } from './docker-streams.js';

/** PID 1 of the job container: a shell that waits on stdin (which nobody closes) and needs no other binary. */
export const KEEPALIVE_ENTRYPOINT = ['sh', '-c', 'read _ || true; while :; do read _ || sleep 3600; done'];

function sinkWriter(sink: LogSink): Writable {
  return new Writable({ write(chunk: Buffer, _enc, done) { sink.write(chunk); done(); } });
}

/** An exec started with its stdin open: nothing runs until its input is written (see runOpenedExec). */
export interface OpenedExec {
  exec: Docker.Exec;
  stream: NodeJS.ReadWriteStream;
  ended: Promise<void>;
}

export async function openExec(container: Docker.Container, cmd: string[]): Promise<OpenedExec> {
  const exec = await container.exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream;
  return { exec, stream, ended: streamEnded(stream) };
}

export async function execStage(docker: Docker, container: Docker.Container, stageCmd: string[], script: string, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
  const opened = await openExec(container, stageCmd);
  docker.modem.demuxStream(opened.stream, sinkWriter(sink), sinkWriter(sink));
  return runOpenedExec(container, opened, script.endsWith('\n') ? script : `${script}\n`, signal);
}

/** Writes `input` to the exec's stdin, closes it, and returns the exit code once Docker has it. */
export async function runOpenedExec(container: Docker.Container, { exec, stream, ended }: OpenedExec, input: string, signal: AbortSignal): Promise<StageResult> {
  let killedBy: string | undefined;
  let hardKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killedBy = 'SIGTERM';
    // Like gitlab-runner: SIGTERM to every process but PID 1; SIGKILL after 10 s.
    void signalAllButPid1(container, 'TERM');
    hardKill = setTimeout(() => { killedBy = 'SIGKILL'; void signalAllButPid1(container, 'KILL'); }, 10_000);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) onAbort();
    stream.end(input);
    await ended;
    for (;;) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) {
        return killedBy ? { exitCode: info.ExitCode, signal: killedBy } : { exitCode: info.ExitCode };
      }
      // The output stream closes a moment before Docker records the exit.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    clearTimeout(hardKill);
    signal.removeEventListener('abort', onAbort);
  }
}
