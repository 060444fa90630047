// Where job output goes. Implementations: terminal, file, trace uploader, masker (a wrapping sink).

export interface LogSink {
  /** Appends raw job output (may contain ANSI escapes and partial lines). */
  write(chunk: string | Buffer): void;
}

/** A sink that forwards to several sinks. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return { write: (chunk) => { for (const s of sinks) s.write(chunk); } };
}

/** A sink that drops everything (for tests and quiet stages). */
export const nullSink: LogSink = { write: () => {} };
