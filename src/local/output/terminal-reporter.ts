// Console output for an interactive terminal: colours, symbols, a coloured name prefix per job.
import { ConsoleReporter } from './console-reporter.js';
import { ttyStyle } from './style.js';

export function createTerminalReporter(write: (text: string) => void, cwd: string, outputLimit: number, verbose = false): ConsoleReporter {
  return new ConsoleReporter({ write, style: ttyStyle, outputLimit, cwd, verbose });
}
