// Errors about a pipeline configuration, always with a position so a user can find the line.

export interface SourcePosition {
  /** Path of the file as the user named it (relative to the project root where possible). */
  file: string;
  /** 1-based line and column; 0 when unknown. */
  line: number;
  column: number;
}

export interface PipelineError extends SourcePosition {
  /** The key path inside the merged configuration, e.g. ['build', 'services', 0, 'alias']. */
  path: Array<string | number>;
  /** GitLab's wording where GitLab has one, e.g. "jobs:build config contains unknown keys: scirpt". */
  message: string;
}

/** Renders an error as `file:line:column: message` (the format editors and terminals link). */
export function formatPipelineError(e: PipelineError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `${where}: ${e.message}`;
}

/** Thrown only where a list of errors cannot be returned; carries every error found. */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
  constructor(readonly errors: PipelineError[]) {
    super(errors.map(formatPipelineError).join('\n'));
  }
}
