// Why a request to a Drydock (or GitLab) server failed, worded for the person at the terminal.

export type ClientErrorKind = 'unauthorized' | 'forbidden' | 'not_found' | 'bad_request' | 'server' | 'unreachable' | 'protocol';

export class ClientError extends Error {
  constructor(readonly kind: ClientErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = 'ClientError';
  }
}

/** The error for a non-2xx answer; `what` names the thing asked for ("pipeline 12 of group/app"). */
export function errorForStatus(status: number, body: unknown, what: string, baseUrl: string): ClientError {
  const detail = serverMessage(body);
  switch (status) {
    case 401:
      return new ClientError('unauthorized', `401 Unauthorized: ${baseUrl} rejected the token (pass --token or set DRYDOCK_TOKEN to a valid personal access token)`, status);
    case 403:
      return new ClientError('forbidden', `403 Forbidden: not allowed to access ${what}${detail ? ` (${detail})` : ''}`, status);
    case 404:
      return new ClientError('not_found', `404 Not Found: ${what} does not exist${detail ? ` (${detail})` : ''}`, status);
    default:
      return status >= 500
        ? new ClientError('server', `${baseUrl} failed with ${status} while handling ${what}${detail ? `: ${detail}` : ''}`, status)
        : new ClientError('bad_request', `${status}: ${detail || `the server refused the request for ${what}`}`, status);
  }
}

function serverMessage(body: unknown): string {
  if (typeof body === 'string') return body.trim().slice(0, 300);
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { message?: unknown; error?: unknown };
  const m = b.message ?? b.error;
  if (m === undefined) return '';
  return typeof m === 'string' ? m : JSON.stringify(m);
}

/** fetch() failed before any answer: name the URL and the likely cause. */
export function unreachable(baseUrl: string, err: unknown): ClientError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new ClientError('unreachable', `cannot reach the Drydock server at ${baseUrl} (${why}); is it running? Set --url or DRYDOCK_URL`);
}
