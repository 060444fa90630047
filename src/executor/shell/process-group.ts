// Runs a command in its own process group and makes sure nothing of it outlives the call.
//
// - The child is started with setsid (detached), so it and everything it forks share a group.
// - On abort: SIGTERM to the group, repeated every second (a child forked while the first one
//   was being delivered would miss it, and its shell would wait for it: the same reason
//   gitlab-runner repeats ContainerStop), then SIGKILL after the grace period (gitlab-runner's
//   helpers/process killer; its graceful period is 10 min, ours defaults to 10 s like `docker stop`).
// - When the main process exits, whatever it left in the background is SIGKILLed, as Docker
//   does when a container's PID 1 exits. Processes that left the group (setsid, daemons) are
//   out of reach; their hold on the output pipe is dropped after a short drain.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { StageResult } from '../executor.js';

export interface ProcessGroupOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Raw output chunks (stdout, then anything on stderr), in arrival order. */
  onOutput: (chunk: Buffer) => void;
  signal: AbortSignal;
  killGraceMs: number;
}

/** How long to wait for the output pipes to close once the process group is gone. */
const DRAIN_MS = 2_000;
const TERM_REPEAT_MS = 1_000;

export function runProcessGroup(opts: ProcessGroupOptions): Promise<StageResult> {
  return new Promise<StageResult>((resolve, reject) => {
    const child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let graceTimer: NodeJS.Timeout | undefined;
    let termTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let result: StageResult | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already empty.
      }
    };
    const onAbort = (): void => {
      killGroup('SIGTERM');
      termTimer = setInterval(() => killGroup('SIGTERM'), TERM_REPEAT_MS);
      graceTimer = setTimeout(() => {
        clearInterval(termTimer);
        killGroup('SIGKILL');
      }, opts.killGraceMs);
    };
    const done = (): void => {
      clearTimeout(graceTimer);
      clearInterval(termTimer);
      clearTimeout(drainTimer);
      opts.signal.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', opts.onOutput);
    child.stderr.on('data', opts.onOutput);
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      result = signal ? { exitCode: 128 + (constants.signals[signal] ?? 0), signal } : { exitCode: code ?? 1 };
      clearInterval(termTimer);
      clearTimeout(graceTimer);
      killGroup('SIGKILL');
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, DRAIN_MS);
    });
    child.once('close', () => {
      done();
      if (result) resolve(result);
    });

    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}
