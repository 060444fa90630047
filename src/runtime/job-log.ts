// The runtime's own lines in the job log, formatted as gitlab-runner's build logger writes them.
import { ANSI, sectionEnd, sectionStart } from '../executor/script/stage-description.js';
import type { LogSink } from '../shared/log-sink.js';

export class JobLog {
  constructor(
    readonly sink: LogSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  line(text: string): void {
    this.sink.write(`${text}\n`);
  }

  notice(text: string): void {
    this.sink.write(`${ANSI.boldGreen}${text}${ANSI.reset}\n`);
  }

  warning(text: string): void {
    this.sink.write(`${ANSI.yellow}WARNING: ${text}${ANSI.reset}\n`);
  }

  error(text: string): void {
    this.sink.write(`${ANSI.boldRed}ERROR: ${text}${ANSI.reset}\n`);
  }

  /** section_start marker followed by the stage's bold cyan description. */
  sectionStart(name: string, description: string): void {
    this.sink.write(`${sectionStart(name, this.unix())}${ANSI.boldCyan}${description}${ANSI.reset}\n`);
  }

  sectionEnd(name: string): void {
    this.sink.write(sectionEnd(name, this.unix()));
  }

  private unix(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
