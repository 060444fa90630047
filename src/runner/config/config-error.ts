// Problems found in a config.toml, always with the file and line so the user can go straight there.

export interface ConfigError {
  /** The file as the caller named it. */
  file: string;
  /** 1-based; 0 when unknown (e.g. the file is missing). */
  line: number;
  /** 1-based; 0 when only the line is known. */
  column: number;
  /** Path in the parsed data, e.g. ['runners', 0, 'docker', 'privileged']. */
  path: Array<string | number>;
  /** Says what is wrong and, where it can, what to write instead; includes the table and key. */
  message: string;
}

/** `config.toml:12: [runners.docker] privileged: expected a boolean, got "yes"`. */
export function formatConfigError(e: ConfigError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}${e.column > 0 ? `:${e.column}` : ''}` : e.file;
  return `${where}: ${e.message}`;
}

/** Thrown where a list of errors cannot be returned; carries every error found. */
export class RunnerConfigError extends Error {
  override readonly name = 'RunnerConfigError';
  constructor(readonly errors: ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
  }
}
