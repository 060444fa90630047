// The built web UI (web/ → dist/web): finding it and serving its files. Hashed files under
// assets/ are cached for good; index.html never is, so a new build shows up at once.
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

/** Same-origin only; inline style attributes carry log colours. */
export const UI_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** dist/web next to the compiled server, or the repo's dist/web when run from source; DRYDOCK_WEB_DIR overrides. */
export function findWebDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [env.DRYDOCK_WEB_DIR, path.resolve(here, '../../web'), path.resolve(here, '../../../dist/web')];
  return candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, 'index.html')));
}

export class UiAssets {
  constructor(private readonly dir: string | undefined) {}

  /** Sends `rel` (a path under the build dir); false when there is no such file. */
  async send(reply: FastifyReply, rel: string): Promise<boolean> {
    if (!this.dir) return false;
    const file = path.resolve(this.dir, rel);
    if (!file.startsWith(this.dir + path.sep)) return false;
    const body = await readFile(file).catch(() => undefined);
    if (!body) return false;
    const immutable = rel.startsWith('assets/');
    void reply.headers({
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    await reply.send(body);
    return true;
  }

  /** The single page (every UI URL gets it; the page routes itself). */
  async page(reply: FastifyReply): Promise<FastifyReply> {
    void reply.headers(UI_SECURITY_HEADERS);
    if (await this.send(reply, 'index.html')) return reply;
    return reply.code(503).type('text/plain; charset=utf-8')
      .send('Drydock\'s web UI is not built: run `npm --prefix web ci && npm --prefix web run build` (the API at /api/v4 works without it).\n');
  }
}
