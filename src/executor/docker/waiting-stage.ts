// The first user stage of a job with services when the job container runs a `docker exec` per
// stage (it has an after_script, or the engine is remote): the exec starts while the services
// boot, behind STAGE_GATE, so the 0.1-0.15 s an exec costs on a busy engine is not spent between
// "service ready" and the first script line.
import type Docker from 'dockerode';
import type { StageResult } from '../executor.js';
import type { LogSink } from '../../shared/log-sink.js';
import { openExec, runOpenedExec, type OpenedExec } from './exec-stage.js';
import { HeldOutput } from './held-output.js';
import { STAGE_GATE, type PendingStage } from './start-stage.js';

export class WaitingStage implements PendingStage {
  private constructor(private readonly container: Docker.Container, private readonly opened: OpenedExec, private readonly output: HeldOutput) {}

  static async open(docker: Docker, container: Docker.Container, stageCmd: string[]): Promise<WaitingStage> {
    const opened = await openExec(container, [...STAGE_GATE, ...stageCmd]);
    const output = new HeldOutput();
    docker.modem.demuxStream(opened.stream, output, output);
    return new WaitingStage(container, opened, output);
  }

  run(script: string, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    this.output.release(sink);
    return runOpenedExec(this.container, this.opened, `go\n${script.endsWith('\n') ? script : `${script}\n`}`, signal);
  }

  discard(): void {
    (this.opened.stream as unknown as { destroy(): void }).destroy();
  }
}
