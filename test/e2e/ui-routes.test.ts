// The UI's server side over real HTTP (no browser): page URLs get the single page with its
// security headers, reserved paths are not shadowed, assets are cached by hash, and the session
// cookie works only with its CSRF header for changes and stops working after sign-out.
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './server-kit.js';

let t: TestServer;
beforeAll(async () => { t = await startTestServer(); });
afterAll(async () => { await t?.close(); });

async function signIn(token: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const r = await t.api('POST', '/users/sign_in', { token });
  expect(r.status).toBe(200);
  const setCookie = r.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', csrf: r.json.csrf_token, setCookie };
}

describe('web UI routes', () => {
  it('serves the single page at GitLab-style page URLs with a strict CSP', async () => {
    for (const url of ['/', '/users/sign_in', '/admin/runners', '/team/app', '/team/app/-/pipelines', '/team/app/-/pipelines/7',
      '/team/app/-/jobs/3', '/team/app/-/settings/ci_cd', '/team/app/-/container_registry', '/group/sub/app/-/pipelines']) {
      const r = await t.api('GET', url);
      expect(r.status, url).toBe(existsSync('dist/web/index.html') ? 200 : 503);
      expect(r.headers.get('content-security-policy'), url).toContain("default-src 'self'");
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('leaves the API, health, registry and git smart-HTTP paths alone', async () => {
    expect((await t.api('GET', '/api/v4')).status).toBe(404);
    expect((await t.api('GET', '/api/v4/user')).status).toBe(401);
    expect((await t.api('GET', '/api/v4/projects')).headers.get('content-type') ?? '').toContain('application/json');
    expect((await t.api('GET', '/-/health')).json.status).toBe('ok');
    expect((await t.api('GET', '/team/app.git/info/refs?service=git-upload-pack')).status).toBe(401);
    expect((await t.api('GET', '/team/app.git')).status).toBe(404);
    const v2 = await t.api('GET', '/v2/');
    expect(v2.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it('caches hashed assets for good and refuses paths outside the build', async () => {
    if (!existsSync('dist/web/assets')) return expect.fail('dist/web is missing: npm --prefix web run build');
    const js = readdirSync('dist/web/assets').find((f) => f.endsWith('.js'));
    const r = await t.api('GET', `/-/ui/assets/${js}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/javascript');
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect((await t.api('GET', '/-/ui/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await t.api('GET', '/-/ui/assets/nope.js')).status).toBe(404);
  });

  it('signs in with a token, needs the CSRF header for changes and ends the session on sign-out', async () => {
    expect((await t.api('POST', '/users/sign_in', { token: 'glpat-nope' })).status).toBe(401);
    expect((await t.api('POST', '/users/sign_in', {})).status).toBe(400);
    const s = await signIn(t.adminToken);
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    const me = await t.api('GET', '/-/ui/session', undefined, { cookie: s.cookie });
    expect(me.json).toMatchObject({ user: { username: 'root', is_admin: true }, csrf_token: s.csrf });
    expect((await t.api('GET', '/api/v4/projects', undefined, { cookie: s.cookie })).status).toBe(200);
    const body = { name: 'from-ui', namespace: 'team' };
    expect((await t.api('POST', '/api/v4/projects', body, { cookie: s.cookie })).status).toBe(401);
    expect((await t.api('POST', '/api/v4/projects', body, { cookie: s.cookie, 'x-csrf-token': 'wrong' })).status).toBe(401);
    expect((await t.api('POST', '/api/v4/projects', body, { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(201);
    // A tampered cookie is nobody.
    expect((await t.api('GET', '/api/v4/projects', undefined, { cookie: `${s.cookie}x` })).status).toBe(401);
    expect((await t.api('DELETE', '/-/ui/session', undefined, { cookie: s.cookie })).status).toBe(403);
    expect((await t.api('DELETE', '/-/ui/session', undefined, { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(204);
    expect((await t.api('GET', '/api/v4/projects', undefined, { cookie: s.cookie })).status).toBe(401);
    expect((await t.api('GET', '/-/ui/session', undefined, { cookie: s.cookie })).status).toBe(401);
  });
});
