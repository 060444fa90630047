// Interactive questions on a terminal or a pipe, gitlab-runner style: the question on one line, then
// `[current]: ` when there is a value to keep. Lines are queued as they arrive, so answers piped in all
// at once (tests, scripts) are not lost while the register command talks to the server.
import { createInterface, type Interface } from 'node:readline';
import type { Prompter } from './register-runner.js';

export class LinePrompter implements Prompter {
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private closed = false;
  private readonly rl: Interface;

  constructor(input: NodeJS.ReadableStream, private readonly output: NodeJS.WritableStream) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(undefined);
    });
  }

  async ask(question: string, current: string, signal: AbortSignal): Promise<string | undefined> {
    signal.throwIfAborted();
    this.output.write(`${question}\n${current !== '' ? `[${current}]: ` : ''}`);
    if (this.lines.length > 0) return this.lines.shift()?.trim();
    if (this.closed) return undefined;
    const line = await new Promise<string | undefined>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(deliver), 1);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const deliver = (l: string | undefined) => {
        signal.removeEventListener('abort', onAbort);
        resolve(l);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(deliver);
    });
    return line?.trim();
  }

  close(): void {
    this.rl.close();
  }
}
