// One log file per job attempt on disk, written synchronously so a script that prints 100 MB
// cannot pile the output up in memory, and a crash loses nothing already printed.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { LogSink } from '../shared/log-sink.js';

export class JobLogFile implements LogSink {
  private fd: number | undefined;
  private failed = false;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'w');
  }

  write(chunk: string | Buffer): void {
    if (this.fd === undefined || this.failed) return;
    try {
      writeSync(this.fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    } catch {
      this.failed = true; // disk full: keep running the job, the terminal still shows output
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
