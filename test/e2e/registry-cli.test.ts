// `drydock registry ls|tags|rm|gc` through the real CLI against a server's registry: images pushed
// over the registry API with a token from /jwt/auth, listed and deleted through GitLab's REST API,
// and the freed blobs collected from the server's <data>/registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { RegistryTestClient } from '../../src/registry/testing/registry-test-client.js';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './server-kit.js';

describe('drydock registry (CLI)', () => {
  let t: TestServer;
  const cli = (args: string[]) => runCli(['registry', ...args], { cwd: t.dataDir, env: { DRYDOCK_URL: t.url, DRYDOCK_TOKEN: t.adminToken } });

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin('POST', '/api/v4/projects', { name: 'app', namespace: 'grp' });
    const q = 'service=container_registry&scope=repository:grp/app:pull,push&scope=repository:grp/app/sub:pull,push';
    const res = await fetch(`${t.url}/jwt/auth?${q}`, { headers: { authorization: `Basic ${Buffer.from(`root:${t.adminToken}`).toString('base64')}` } });
    const client = new RegistryTestClient(t.url, { Authorization: `Bearer ${((await res.json()) as { token: string }).token}` });
    await client.pushImage('grp/app', 'v1', [Buffer.from('layer a')]);
    await client.pushImage('grp/app', 'v2', [Buffer.from('layer b')]);
    await client.pushImage('grp/app/sub', 'latest', [Buffer.from('layer c')]);
  });
  afterAll(() => t?.close());

  it('lists repositories and tags, deletes a tag and a repository, then gc frees their blobs', async () => {
    const host = new URL(t.url).host;
    const ls = await cli(['ls', 'grp/app']);
    expect(ls.stderr).toBe('');
    expect(ls.stdout).toMatch(new RegExp(`^\\d+\\t${host}/grp/app\\t2 tag\\(s\\)\\n\\d+\\t${host}/grp/app/sub\\t1 tag\\(s\\)\\n$`));
    const tags = await cli(['tags', 'grp/app']);
    expect(tags.stdout).toBe(`v1\t${host}/grp/app:v1\nv2\t${host}/grp/app:v2\n`);
    expect((await cli(['rm', 'grp/app:v1'])).stdout).toContain('deleted grp/app:v1');
    expect((await cli(['tags', 'grp/app'])).stdout).toBe(`v2\t${host}/grp/app:v2\n`);
    expect((await cli(['rm', 'grp/app/sub'])).code).toBe(0);
    expect((await cli(['ls', 'grp/app'])).stdout).not.toContain('grp/app/sub');
    const missing = await cli(['tags', 'grp/app/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no registry repository grp/app/nope');
    expect((await runCli(['registry', 'ls', 'grp/app'], { cwd: t.dataDir, env: { DRYDOCK_URL: t.url, DRYDOCK_TOKEN: '' } })).code).toBe(2);

    const gc = await cli(['gc', '--data', path.join(t.dataDir, 'registry'), '--grace-minutes', '0']);
    expect(gc.code, gc.stderr).toBe(0);
    // The deleted repository's manifest and its own layer go; its config is shared with grp/app and
    // stays; a deleted tag leaves its manifest (untagged, as in distribution), so layer a stays too.
    expect(gc.stdout).toMatch(/freed \d+ bytes in 2 blob\(s\); 2 manifest\(s\) in 1 repositories/);
    expect((await cli(['tags', 'grp/app'])).stdout).toBe(`v2\t${host}/grp/app:v2\n`);
  });
});
