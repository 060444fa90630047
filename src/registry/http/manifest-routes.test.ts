// Manifests, tags, catalog, deletes and referrers over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAll } from '../auth/registry-auth.js';
import { digestOf } from '../digest.js';
import { MEDIA_TYPES } from '../manifest.js';
import { createMemoryStorage } from '../storage/memory-storage.js';
import { RegistryTestClient, type RawResponse } from '../testing/registry-test-client.js';
import { createRegistryServer, type RegistryServer } from './registry-server.js';

let server: RegistryServer;
let client: RegistryTestClient;
beforeAll(async () => {
  server = await createRegistryServer({ storage: createMemoryStorage(), auth: allowAll() });
  client = new RegistryTestClient((await server.listen({ port: 0 })).url);
});
afterAll(() => server.close());

const code = (res: RawResponse): string | undefined => (res.json() as { errors: Array<{ code: string }> }).errors[0]?.code;

function indexOf(mediaType: string, children: Array<{ digest: string; size: number; mediaType: string }>, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children.map((c, i) => ({ ...c, platform: { architecture: i ? 'arm64' : 'amd64', os: 'linux' } })), ...extra }));
}

describe('manifest routes', () => {
  it('stores Docker and OCI manifests byte-for-byte and serves them by tag and digest', async () => {
    for (const mediaType of [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]) {
      const image = await client.pushImage('group/app', 'v1', [Buffer.from(`layer for ${mediaType}`)], { mediaType });
      for (const ref of ['v1', image.digest]) {
        const res = await client.request('GET', `/v2/group/app/manifests/${ref}`, { headers: { Accept: mediaType } });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(image.bytes);
        expect(res.headers['content-type']).toBe(mediaType);
        expect(res.headers['docker-content-digest']).toBe(image.digest);
      }
      const head = await client.request('HEAD', `/v2/group/app/manifests/v1`);
      expect(head.headers['content-length']).toBe(String(image.bytes.length));
      expect(head.body.length).toBe(0);
    }
  });

  it('answers a manifest push with 201, Location and the digest', async () => {
    const config = await client.pushBlob('group/put', Buffer.from('{}'));
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 }, layers: [] }));
    const digest = digestOf(bytes);
    const res = await client.pushManifest('group/put', digest, bytes, MEDIA_TYPES.ociManifest);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v2/group/put/manifests/${digest}`);
    expect(res.headers['docker-content-digest']).toBe(digest);
  });

  it('refuses manifests that are invalid, mislabelled, mismatched or reference unknown blobs', async () => {
    const layer = await client.pushBlob('group/bad', Buffer.from('a layer'));
    const good = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: layer, size: 7 }, layers: [] };
    const notJson = await client.pushManifest('group/bad', 'x', Buffer.from('{nope'), MEDIA_TYPES.ociManifest);
    expect([notJson.status, code(notJson)]).toEqual([400, 'MANIFEST_INVALID']);
    const noLayers = await client.pushManifest('group/bad', 'x', Buffer.from(JSON.stringify({ ...good, layers: undefined })), MEDIA_TYPES.ociManifest);
    expect(code(noLayers)).toBe('MANIFEST_INVALID');
    const mislabelled = await client.pushManifest('group/bad', 'x', Buffer.from(JSON.stringify(good)), MEDIA_TYPES.dockerManifest);
    expect(code(mislabelled)).toBe('MANIFEST_INVALID');
    const unknownType = await client.pushManifest('group/bad', 'x', Buffer.from(JSON.stringify({ ...good, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' })), 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(code(unknownType)).toBe('MANIFEST_INVALID');
    const wrongDigest = await client.pushManifest('group/bad', digestOf(Buffer.from('other')), Buffer.from(JSON.stringify(good)), MEDIA_TYPES.ociManifest);
    expect([wrongDigest.status, code(wrongDigest)]).toEqual([400, 'DIGEST_INVALID']);
    const missing = digestOf(Buffer.from('never pushed'));
    const dangling = await client.pushManifest('group/bad', 'x', Buffer.from(JSON.stringify({ ...good, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: missing, size: 1 }] })), MEDIA_TYPES.ociManifest);
    expect([dangling.status, code(dangling)]).toEqual([400, 'MANIFEST_BLOB_UNKNOWN']);
    const badTag = await client.pushManifest('group/bad', '-tag', Buffer.from(JSON.stringify(good)), MEDIA_TYPES.ociManifest);
    expect(badTag.status).toBe(400);
    const huge = await client.pushManifest('group/bad', 'x', Buffer.alloc(4 * 1024 * 1024 + 1, 32), MEDIA_TYPES.ociManifest);
    expect(huge.status).toBe(413);
    expect((await client.request('GET', '/v2/group/bad/manifests/x')).status).toBe(404);
  });

  it('accepts OCI indexes and Docker manifest lists whose children exist, refuses others', async () => {
    const a = await client.pushImage('group/multi', 'amd64', [Buffer.from('amd64 layer')]);
    const b = await client.pushImage('group/multi', 'arm64', [Buffer.from('arm64 layer')]);
    const children = [a, b].map((i) => ({ mediaType: MEDIA_TYPES.ociManifest, digest: i.digest, size: i.bytes.length }));
    for (const type of [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]) {
      const index = indexOf(type, children);
      const res = await client.pushManifest('group/multi', 'latest', index, type);
      expect(res.status).toBe(201);
      const back = await client.request('GET', '/v2/group/multi/manifests/latest');
      expect(back.body).toEqual(index);
      expect(back.headers['content-type']).toBe(type);
    }
    const orphan = indexOf(MEDIA_TYPES.ociIndex, [{ mediaType: MEDIA_TYPES.ociManifest, digest: digestOf(Buffer.from('ghost')), size: 10 }]);
    const res = await client.pushManifest('group/multi', 'broken', orphan, MEDIA_TYPES.ociIndex);
    expect(code(res)).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('lists tags in order with n/last pagination and a Link header', async () => {
    for (const tag of ['b', 'a', 'c', 'A', 'd']) await client.pushImage('group/tags', tag, []);
    const all = await client.request('GET', '/v2/group/tags/tags/list');
    expect(all.json()).toEqual({ name: 'group/tags', tags: ['A', 'a', 'b', 'c', 'd'] });
    const first = await client.request('GET', '/v2/group/tags/tags/list?n=2');
    expect((first.json() as { tags: string[] }).tags).toEqual(['A', 'a']);
    expect(first.headers.link).toBe('</v2/group/tags/tags/list?n=2&last=a>; rel="next"');
    const second = await client.request('GET', '/v2/group/tags/tags/list?n=2&last=a');
    expect((second.json() as { tags: string[] }).tags).toEqual(['b', 'c']);
    const lastPage = await client.request('GET', '/v2/group/tags/tags/list?n=2&last=c');
    expect((lastPage.json() as { tags: string[] }).tags).toEqual(['d']);
    expect(lastPage.headers.link).toBeUndefined();
    const zero = await client.request('GET', '/v2/group/tags/tags/list?n=0');
    expect([(zero.json() as { tags: string[] }).tags, zero.headers.link]).toEqual([[], undefined]);
    expect((await client.request('GET', '/v2/group/tags/tags/list?n=-1')).status).toBe(400);
    const unknown = await client.request('GET', '/v2/group/nothing/tags/list');
    expect([unknown.status, code(unknown)]).toEqual([404, 'NAME_UNKNOWN']);
  });

  it('lists the catalog with pagination', async () => {
    const all = (await client.request('GET', '/v2/_catalog')).json() as { repositories: string[] };
    expect(all.repositories).toContain('group/tags');
    expect([...all.repositories].sort()).toEqual(all.repositories);
    const page = await client.request('GET', '/v2/_catalog?n=1');
    expect((page.json() as { repositories: string[] }).repositories).toEqual([all.repositories[0]]);
    expect(page.headers.link).toContain('rel="next"');
  });

  it('deletes tags and manifests; a deleted manifest takes its tags along', async () => {
    const image = await client.pushImage('group/del', 'one', [Buffer.from('del layer')]);
    await client.pushManifest('group/del', 'two', image.bytes, MEDIA_TYPES.ociManifest);
    expect((await client.request('DELETE', '/v2/group/del/manifests/one')).status).toBe(202);
    expect(code(await client.request('GET', '/v2/group/del/manifests/one'))).toBe('MANIFEST_UNKNOWN');
    expect((await client.request('GET', '/v2/group/del/manifests/two')).status).toBe(200);
    expect((await client.request('DELETE', `/v2/group/del/manifests/${image.digest}`)).status).toBe(202);
    expect((await client.request('GET', `/v2/group/del/manifests/${image.digest}`)).status).toBe(404);
    expect((await client.request('GET', '/v2/group/del/manifests/two')).status).toBe(404);
    expect((await client.request('DELETE', `/v2/group/del/manifests/${image.digest}`)).status).toBe(404);
    expect(code(await client.request('DELETE', '/v2/group/never/manifests/x'))).toBe('NAME_UNKNOWN');
  });

  it('lists referrers by subject, with the OCI-Subject header and artifactType filtering', async () => {
    const subject = await client.pushImage('group/ref', 'app', [Buffer.from('app layer')]);
    const subjectDescriptor = { mediaType: MEDIA_TYPES.ociManifest, digest: subject.digest, size: subject.bytes.length };
    const sbomConfig = await client.pushBlob('group/ref', Buffer.from('{}'));
    const sbom = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, artifactType: 'application/spdx+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sbomConfig, size: 2 }, layers: [], subject: subjectDescriptor, annotations: { 'org.example': 'sbom' } }));
    const pushed = await client.pushManifest('group/ref', digestOf(sbom), sbom, MEDIA_TYPES.ociManifest);
    expect(pushed.headers['oci-subject']).toBe(subject.digest);
    const sig = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.example.sig', digest: sbomConfig, size: 2 }, layers: [], subject: subjectDescriptor }));
    await client.pushManifest('group/ref', digestOf(sig), sig, MEDIA_TYPES.ociManifest);

    const all = await client.request('GET', `/v2/group/ref/referrers/${subject.digest}`);
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe(MEDIA_TYPES.ociIndex);
    const index = all.json() as { manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string>; size: number }> };
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual(['application/spdx+json', 'application/vnd.example.sig']);
    expect(index.manifests.find((m) => m.digest === digestOf(sbom))).toMatchObject({ size: sbom.length, annotations: { 'org.example': 'sbom' } });
    const filtered = await client.request('GET', `/v2/group/ref/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/spdx+json')}`);
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect((filtered.json() as { manifests: unknown[] }).manifests).toHaveLength(1);
    const none = await client.request('GET', `/v2/group/ref/referrers/${digestOf(Buffer.from('nothing'))}`);
    expect((none.json() as { manifests: unknown[] }).manifests).toEqual([]);
    expect((await client.request('GET', '/v2/group/ref/referrers/sha256:bad')).status).toBe(400);
  });

  it('answers unknown routes and methods with OCI errors', async () => {
    const route = await client.request('GET', '/v2/group/app/nothing-here');
    expect(route.status).toBe(404);
    expect(code(route)).toBe('UNSUPPORTED');
    const method = await client.request('PATCH', '/v2/group/app/manifests/v1');
    expect([method.status, code(method)]).toEqual([405, 'UNSUPPORTED']);
  });
});
