// Console output when stdout is not a terminal (CI logs, pipes, tests): no colours, ASCII only,
// `[job] line` prefixes that grep and log viewers handle.
import { ConsoleReporter } from './console-reporter.js';
import { plainStyle } from './style.js';

export function createPlainReporter(write: (text: string) => void, cwd: string, outputLimit: number, verbose = false): ConsoleReporter {
  return new ConsoleReporter({ write, style: plainStyle, outputLimit, cwd, verbose });
}
