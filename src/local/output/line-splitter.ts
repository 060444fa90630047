// Turns a job's raw output chunks (bytes, partial lines, ANSI, section markers, binary) into
// complete display lines. Very long lines without a newline are cut so memory stays bounded.
import { StringDecoder } from 'node:string_decoder';

const SECTION_MARKER = /section_(?:start|end):\d+:[A-Za-z0-9_.-]+(?:\[[^\]]*\])?\r?\x1b\[0K/g;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
// C0 controls other than tab and ESC, and DEL: shown as '?' so binary output cannot wreck a terminal.
const CONTROL = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxLine = 16 * 1024) {}

  /** Complete lines in this chunk (without the newline). */
  push(chunk: string | Buffer): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxLine) {
      parts.push(this.partial);
      this.partial = '';
    }
    return parts.map((p) => (p.length > this.maxLine ? `${p.slice(0, this.maxLine)}… (line cut)` : p));
  }

  /** What is left at the end of the output. */
  flush(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** A raw line made safe for display: section markers gone, only what a carriage return left visible. */
export function displayLine(raw: string, keepColors: boolean): string {
  let line = raw.replace(SECTION_MARKER, '');
  if (line.endsWith('\r')) line = line.slice(0, -1);
  const cr = line.lastIndexOf('\r');
  if (cr >= 0) line = line.slice(cr + 1);
  if (!keepColors) line = line.replace(ANSI, '');
  line = line.replace(/\x1b(?!\[)/g, '?').replace(CONTROL, '?');
  return line;
}
