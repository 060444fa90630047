// Blob and upload flows over real HTTP against the in-memory and filesystem stores.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAll } from '../auth/registry-auth.js';
import { digestOf } from '../digest.js';
import { createFsStorage } from '../storage/fs-storage.js';
import { createMemoryStorage } from '../storage/memory-storage.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { RegistryTestClient } from '../testing/registry-test-client.js';
import { createRegistryServer, type RegistryServer } from './registry-server.js';

const stores: Array<[string, () => Promise<{ storage: RegistryStorage; dispose(): Promise<void> }>]> = [
  ['memory', async () => ({ storage: createMemoryStorage(), dispose: async () => undefined })],
  ['fs', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-http-'));
    return { storage: await createFsStorage(root), dispose: () => rm(root, { recursive: true, force: true }) };
  }],
];

describe.each(stores)('blob routes (%s storage)', (_name, make) => {
  let server: RegistryServer;
  let client: RegistryTestClient;
  let dispose: () => Promise<void>;
  let storage: RegistryStorage;
  beforeAll(async () => {
    const made = await make();
    storage = made.storage;
    dispose = made.dispose;
    server = await createRegistryServer({ storage, auth: allowAll() });
    client = new RegistryTestClient((await server.listen({ port: 0 })).url);
  });
  afterAll(async () => {
    await server.close();
    await dispose();
  });

  it('answers the version check with the API version header', async () => {
    const res = await client.request('GET', '/v2/');
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('monolithic POST ?digest= stores the blob; HEAD and GET return it with its digest', async () => {
    const data = Buffer.from('monolithic blob');
    const digest = digestOf(data);
    const post = await client.request('POST', `/v2/group/app/blobs/uploads/?digest=${digest}`, { body: data });
    expect(post.status).toBe(201);
    expect(post.headers.location).toBe(`/v2/group/app/blobs/${digest}`);
    expect(post.headers['docker-content-digest']).toBe(digest);
    const head = await client.request('HEAD', `/v2/group/app/blobs/${digest}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(data.length));
    expect(head.headers['docker-content-digest']).toBe(digest);
    expect(head.body.length).toBe(0);
    const get = await client.request('GET', `/v2/group/app/blobs/${digest}`);
    expect(get.body).toEqual(data);
    expect(get.headers['content-type']).toBe('application/octet-stream');
  });

  it('chunked PATCH uploads with Content-Range, status via GET, closing PUT with a final chunk', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    const start = await client.request('POST', '/v2/group/app/blobs/uploads/', { headers: { 'Content-Length': '0' } });
    expect(start.status).toBe(202);
    expect(start.headers.range).toBe('0-0');
    const uuid = String(start.headers['docker-upload-uuid']);
    const location = String(start.headers.location);
    expect(location).toBe(`/v2/group/app/blobs/uploads/${uuid}`);
    const p1 = await client.request('PATCH', location, { body: data.subarray(0, 8), headers: { 'Content-Range': '0-7', 'Content-Type': 'application/octet-stream' } });
    expect(p1.status).toBe(202);
    expect(p1.headers.range).toBe('0-7');
    const p2 = await client.request('PATCH', String(p1.headers.location), { body: data.subarray(8, 15), headers: { 'Content-Range': '8-14' } });
    expect(p2.headers.range).toBe('0-14');
    const status = await client.request('GET', location);
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-14');
    expect(status.headers['docker-upload-uuid']).toBe(uuid);
    const digest = digestOf(data);
    const put = await client.request('PUT', `${location}?digest=${digest}`, { body: data.subarray(15), headers: { 'Content-Range': '15-19' } });
    expect(put.status).toBe(201);
    expect(put.headers['docker-content-digest']).toBe(digest);
    expect((await client.request('GET', `/v2/group/app/blobs/${digest}`)).body).toEqual(data);
    expect((await client.request('GET', location)).status).toBe(404);
  });

  it('streams a PATCH without Content-Range (docker style) and resumes after a broken chunk', async () => {
    const start = await client.request('POST', '/v2/group/app/blobs/uploads/');
    const location = String(start.headers.location);
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from('first half|');
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('cable pulled');
    }
    await expect(client.request('PATCH', location, { body: broken(), headers: { 'Transfer-Encoding': 'chunked' } })).rejects.toThrow();
    let range = '';
    for (let i = 0; i < 50 && range !== '0-10'; i++) {
      range = String((await client.request('GET', location)).headers.range);
      if (range !== '0-10') await new Promise((r) => setTimeout(r, 20));
    }
    expect(range).toBe('0-10');
    const resumed = await client.request('PATCH', location, { body: Buffer.from('second half'), headers: { 'Content-Range': '11-21' } });
    expect(resumed.headers.range).toBe('0-21');
    const digest = digestOf(Buffer.from('first half|second half'));
    expect((await client.request('PUT', `${location}?digest=${digest}`)).status).toBe(201);
  });

  it('refuses a bad or out-of-order Content-Range with 416 and the current Range', async () => {
    const start = await client.request('POST', '/v2/group/app/blobs/uploads/');
    const location = String(start.headers.location);
    await client.request('PATCH', location, { body: Buffer.from('abcd'), headers: { 'Content-Range': '0-3' } });
    const gap = await client.request('PATCH', location, { body: Buffer.from('zz'), headers: { 'Content-Range': '10-11' } });
    expect(gap.status).toBe(416);
    expect(gap.headers.range).toBe('0-3');
    expect((gap.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('BLOB_UPLOAD_INVALID');
    const garbage = await client.request('PATCH', location, { body: Buffer.from('zz'), headers: { 'Content-Range': 'bytes=banana' } });
    expect(garbage.status).toBe(416);
    const lying = await client.request('PATCH', location, { body: Buffer.from('zz'), headers: { 'Content-Range': '4-9' } });
    expect(lying.status).toBe(416);
    expect((await client.request('GET', location)).headers.range).toBe('0-3');
  });

  it('rejects content that does not match its digest and leaves nothing visible', async () => {
    const data = Buffer.from('the real content');
    const claimed = digestOf(Buffer.from('what the client claimed'));
    const start = await client.request('POST', '/v2/group/app/blobs/uploads/');
    const location = String(start.headers.location);
    const put = await client.request('PUT', `${location}?digest=${claimed}`, { body: data });
    expect(put.status).toBe(400);
    expect((put.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DIGEST_INVALID');
    for (const digest of [claimed, digestOf(data)]) {
      expect((await client.request('HEAD', `/v2/group/app/blobs/${digest}`)).status).toBe(404);
      expect(await storage.blobs.stat(digest, AbortSignal.timeout(5000))).toBeUndefined();
    }
    expect((await client.request('GET', location)).status).toBe(404);
    const mono = await client.request('POST', `/v2/group/app/blobs/uploads/?digest=${claimed}`, { body: data });
    expect(mono.status).toBe(400);
    expect(await storage.blobs.stat(digestOf(data), AbortSignal.timeout(5000))).toBeUndefined();
  });

  it('serves byte ranges: 206 with Content-Range, suffix ranges, 416 beyond the end', async () => {
    const data = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const digest = await client.pushBlob('group/app', data);
    const mid = await client.request('GET', `/v2/group/app/blobs/${digest}`, { headers: { Range: 'bytes=2-5' } });
    expect(mid.status).toBe(206);
    expect(mid.body.toString()).toBe('cdef');
    expect(mid.headers['content-range']).toBe('bytes 2-5/26');
    const open = await client.request('GET', `/v2/group/app/blobs/${digest}`, { headers: { Range: 'bytes=20-' } });
    expect(open.body.toString()).toBe('uvwxyz');
    const suffix = await client.request('GET', `/v2/group/app/blobs/${digest}`, { headers: { Range: 'bytes=-3' } });
    expect(suffix.body.toString()).toBe('xyz');
    const beyond = await client.request('GET', `/v2/group/app/blobs/${digest}`, { headers: { Range: 'bytes=26-30' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */26');
  });

  it('mounts a blob across repositories, and falls back to an upload when it cannot', async () => {
    const digest = await client.pushBlob('group/source', Buffer.from('shared layer'));
    expect((await client.request('HEAD', `/v2/group/target/blobs/${digest}`)).status).toBe(404);
    const mount = await client.request('POST', `/v2/group/target/blobs/uploads/?mount=${digest}&from=group/source`);
    expect(mount.status).toBe(201);
    expect(mount.headers.location).toBe(`/v2/group/target/blobs/${digest}`);
    expect((await client.request('HEAD', `/v2/group/target/blobs/${digest}`)).status).toBe(200);
    const missing = digestOf(Buffer.from('nowhere'));
    const fallback = await client.request('POST', `/v2/group/target/blobs/uploads/?mount=${missing}&from=group/source`);
    expect(fallback.status).toBe(202);
    expect(fallback.headers['docker-upload-uuid']).toBeTruthy();
  });

  it('keeps blobs private to the repositories they were pushed to', async () => {
    const digest = await client.pushBlob('group/private', Buffer.from('secret layer'));
    const res = await client.request('GET', `/v2/group/other/blobs/${digest}`);
    expect(res.status).toBe(404);
    expect((res.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('BLOB_UNKNOWN');
  });

  it('cancels uploads, deletes blobs, and reports unknown uploads', async () => {
    const start = await client.request('POST', '/v2/group/app/blobs/uploads/');
    const location = String(start.headers.location);
    expect((await client.request('DELETE', location)).status).toBe(204);
    const gone = await client.request('PATCH', location, { body: Buffer.from('x') });
    expect(gone.status).toBe(404);
    expect((gone.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('BLOB_UPLOAD_UNKNOWN');
    const other = await client.request('POST', '/v2/group/app/blobs/uploads/');
    const id = String(other.headers['docker-upload-uuid']);
    expect((await client.request('GET', `/v2/group/elsewhere/blobs/uploads/${id}`)).status).toBe(404);
    const digest = await client.pushBlob('group/app', Buffer.from('to delete'));
    expect((await client.request('DELETE', `/v2/group/app/blobs/${digest}`)).status).toBe(202);
    expect((await client.request('HEAD', `/v2/group/app/blobs/${digest}`)).status).toBe(404);
    expect((await client.request('DELETE', `/v2/group/app/blobs/${digest}`)).status).toBe(404);
    const noDigest = await client.request('PUT', `/v2/group/app/blobs/uploads/${id}`);
    expect(noDigest.status).toBe(400);
    expect((noDigest.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DIGEST_INVALID');
  });

  it('refuses traversal and malformed names with NAME_INVALID', async () => {
    const digest = digestOf(Buffer.from('x'));
    for (const p of [
      `/v2/../../etc/passwd/blobs/${digest}`,
      `/v2/group/../../../tmp/blobs/${digest}`,
      `/v2/group/%2e%2e/%2e%2e/x/blobs/${digest}`,
      '/v2/Group/App/tags/list',
      '/v2/group//app/tags/list',
      '/v2/../../_uploads/blobs/uploads/',
    ]) {
      const res = await client.request(p.includes('uploads') ? 'POST' : 'GET', p);
      expect(res.status, p).toBe(400);
      expect((res.json() as { errors: Array<{ code: string }> }).errors[0]?.code, p).toBe('NAME_INVALID');
    }
    expect((await client.request('GET', '/v2/group/app/blobs/sha256:../../etc')).status).toBe(400);
    const badDigest = await client.request('GET', '/v2/group/app/blobs/sha256:not-hex');
    expect(badDigest.status).toBe(400);
    expect((badDigest.json() as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DIGEST_INVALID');
  });
});
