// Smart HTTP through the real `git http-backend` (CGI): request body in on stdin, CGI headers
// and the pack stream out on stdout. The server authenticates first; git sees REMOTE_USER.
import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export interface GitCgiRequest {
  projectRoot: string;
  /** `/group/name.git/info/refs` etc. */
  pathInfo: string;
  method: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable | undefined;
  remoteUser: string;
  remoteAddr: string;
  signal: AbortSignal;
}

/** Runs git http-backend for `req`, streaming its answer to `res`; `beforeEnd` runs before the response ends. */
export function serveGitHttp(req: GitCgiRequest, res: ServerResponse, beforeEnd?: () => Promise<void>): Promise<void> {
  const header = (name: string): string => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v ?? '';
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: req.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: req.pathInfo,
    REQUEST_METHOD: req.method,
    QUERY_STRING: req.query,
    CONTENT_TYPE: header('content-type'),
    REMOTE_USER: req.remoteUser,
    REMOTE_ADDR: req.remoteAddr,
    GATEWAY_INTERFACE: 'CGI/1.1',
    HTTP_CONTENT_ENCODING: header('content-encoding'),
    GIT_PROTOCOL: header('git-protocol'),
  };
  if (header('content-length') !== '') env.CONTENT_LENGTH = header('content-length');
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, signal: req.signal, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    if (req.body) req.body.pipe(child.stdin); else child.stdin.end();
    child.stdin.on('error', () => { /* git may stop reading early; its exit status tells */ });

    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) { res.write(chunk); return; }
      head = Buffer.concat([head, chunk]);
      const split = findHeaderEnd(head);
      if (!split) return;
      headersDone = true;
      writeCgiHeaders(head.subarray(0, split.index).toString('latin1'), res);
      const rest = head.subarray(split.index + split.length);
      if (rest.length > 0) res.write(rest);
    });
    child.on('close', (code) => {
      if (!headersDone) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend failed (exit ${code}): ${stderr.trim()}\n`);
        resolve();
        return;
      }
      (beforeEnd ? beforeEnd() : Promise.resolve()).then(
        () => { res.end(); resolve(); },
        (err: unknown) => { res.end(); reject(err instanceof Error ? err : new Error(String(err))); },
      );
    });
  });
}

function findHeaderEnd(buf: Buffer): { index: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function writeCgiHeaders(text: string, res: ServerResponse): void {
  let status = 200;
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else res.setHeader(name, value);
  }
  res.writeHead(status);
}
