// Output of a stage process started before its stage's log is known: held, then replayed into
// the log once the stage runs (a gate that fails prints before anyone asked for its output).
import { Writable } from 'node:stream';
import type { LogSink } from '../../shared/log-sink.js';

export class HeldOutput extends Writable {
  private sink: LogSink | undefined;
  private readonly held: Buffer[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    if (this.sink) this.sink.write(chunk);
    else this.held.push(chunk);
    done();
  }

  /** From now on every chunk goes to `sink`, the held ones first. */
  release(sink: LogSink): void {
    this.sink = sink;
    for (const chunk of this.held.splice(0)) sink.write(chunk);
  }
}
