// One error type for every runner API failure, with a message a user can act on.

/** What went wrong, so callers can decide: retry (network/server), give up (forbidden), or abort a job. */
export type RunnerApiErrorKind = 'network' | 'forbidden' | 'gone' | 'not_found' | 'conflict' | 'bad_request' | 'server' | 'invalid_response';

export class RunnerApiError extends Error {
  override readonly name = 'RunnerApiError';
  /** HTTP status, or 0 when no answer arrived (connection refused, DNS, reset). */
  readonly status: number;
  readonly kind: RunnerApiErrorKind;
  /** Headers of the failing answer (Job-Status, Retry-After...), empty for network errors. */
  readonly headers: Headers;

  constructor(message: string, status: number, kind: RunnerApiErrorKind, headers: Headers = new Headers()) {
    super(message);
    this.status = status;
    this.kind = kind;
    this.headers = headers;
  }

  /** True for failures worth retrying later: no answer, 5xx, 429, 409. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'server' || this.kind === 'conflict' || this.status === 429;
  }
}

export function kindForStatus(status: number): RunnerApiErrorKind {
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 410) return 'gone';
  if (status === 429 || status >= 500) return 'server';
  return 'bad_request';
}

/** The reason fetch gave for a failed connection, in plain words. */
export function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused (is the server running and the URL right?)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host name not found (check the URL)';
    case 'ECONNRESET': return 'connection reset by the server';
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': return 'connection timed out';
    case 'UND_ERR_SOCKET': return 'connection closed unexpectedly';
    default: return cause instanceof Error ? cause.message : String(cause);
  }
}
