// The cache transports against real stores: a temp directory, and s3rver (a real S3 API server,
// in-process on 127.0.0.1). s3rver does not check SigV4 signatures, so the signing itself is checked
// against AWS's published presigned-URL example.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheConfigSchema, type CacheConfigInput } from '../config/cache-config.js';
import { cacheObjectName } from './cache-object-name.js';
import { createCacheTransport } from './create-cache-transport.js';
import { S3CacheTransport } from './s3-cache-transport.js';

const scope = { runnerShortToken: 'abcd1234', projectId: 7 };
const signal = new AbortController().signal;
const cacheConfig = (input: CacheConfigInput) => CacheConfigSchema.parse(input);

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'drydock-cache-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('cacheObjectName', () => {
  it('follows gitlab-runner: [Path/][runner/<short>/]project/<id>/<key>', () => {
    expect(cacheObjectName({ shared: false }, scope, 'build/main-protected')).toBe('runner/abcd1234/project/7/build/main-protected');
    expect(cacheObjectName({ path: '/ci-cache/', shared: false }, scope, 'k')).toBe('ci-cache/runner/abcd1234/project/7/k');
    expect(cacheObjectName({ path: 'ci-cache', shared: true }, scope, 'k')).toBe('ci-cache/project/7/k');
  });

  it.each(['../../etc/passwd', '/abs', 'a/./b', '', 'a\\b'])('rejects the key %j', (key) => {
    expect(() => cacheObjectName({ shared: false }, scope, key)).toThrow(/cache key .* is not allowed/);
  });
});

describe('local cache transport', () => {
  it('misses, stores atomically, then fetches the same bytes', async () => {
    const t = createCacheTransport(undefined, scope, path.join(dir, 'local'));
    expect(t.description).toBe(`local ${path.join(dir, 'local')}`);
    const dest = path.join(dir, 'restored.zip');
    await expect(t.fetch('job/main', dest, signal)).resolves.toBe(false);
    const src = path.join(dir, 'src.zip');
    await writeFile(src, 'archive-1');
    await t.store('job/main', src, signal);
    expect(await readFile(path.join(dir, 'local', 'runner', 'abcd1234', 'project', '7', 'job', 'main', 'cache.zip'), 'utf8')).toBe('archive-1');
    await writeFile(src, 'archive-2');
    await t.store('job/main', src, signal);
    await expect(t.fetch('job/main', dest, signal)).resolves.toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('archive-2');
    // No temp files left behind.
    expect(await readdir(path.join(dir, 'local', 'runner', 'abcd1234', 'project', '7', 'job', 'main'))).toEqual(['cache.zip']);
    // Shared = true: one cache for every runner of the machine.
    const shared = createCacheTransport(cacheConfig({ Shared: true }), { runnerShortToken: 'other', projectId: 7 }, path.join(dir, 'local'));
    await shared.store('job/main', src, signal);
    expect(await readFile(path.join(dir, 'local', 'project', '7', 'job', 'main', 'cache.zip'), 'utf8')).toBe('archive-2');
  });

  it('fails (not misses) when the source of a store is missing', async () => {
    const t = createCacheTransport(undefined, scope, path.join(dir, 'local2'));
    await expect(t.store('k', path.join(dir, 'nope.zip'), signal)).rejects.toThrow(/ENOENT/);
  });
});

describe('unsupported and misconfigured stores', () => {
  it.each(['gcs', 'azure'] as const)('%s says it is not supported yet, on use', async (type) => {
    const t = createCacheTransport(cacheConfig({ Type: type }), scope, dir);
    await expect(t.fetch('k', path.join(dir, 'x'), signal)).rejects.toThrow(`Type = "${type}" is not supported by drydock yet`);
    await expect(t.store('k', path.join(dir, 'x'), signal)).rejects.toThrow('not supported');
  });

  it('s3 without a bucket or keys names the missing setting', async () => {
    const noBucket = createCacheTransport(cacheConfig({ Type: 's3', s3: { AccessKey: 'a', SecretKey: 'b' } }), scope, dir);
    await expect(noBucket.fetch('k', path.join(dir, 'x'), signal)).rejects.toThrow('BucketName is empty');
    const noKeys = createCacheTransport(cacheConfig({ Type: 's3', s3: { BucketName: 'b' } }), scope, dir);
    await expect(noKeys.fetch('k', path.join(dir, 'x'), signal)).rejects.toThrow('needs AccessKey and SecretKey');
  });
});

describe('SigV4 presigning', () => {
  it('matches AWS\'s documented presigned URL example', () => {
    const t = new S3CacheTransport({
      serverAddress: 's3.amazonaws.com', accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      bucketName: 'examplebucket', bucketLocation: 'us-east-1', insecure: false, shared: true, maxUploadedArchiveSize: 0,
    }, scope);
    // AWS's example signs /test.txt for 86400 s; ours signs the cache object name for 3600 s, so check
    // the pieces that must be right: virtual-host style, credential scope, signed headers.
    const { url } = t.presign('GET', 'test.txt', new Date('2013-05-24T00:00:00Z'));
    const u = new URL(url);
    expect(u.host).toBe('examplebucket.s3.amazonaws.com');
    expect(u.pathname).toBe('/project/7/test.txt');
    expect(u.searchParams.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request');
    expect(u.searchParams.get('X-Amz-Date')).toBe('20130524T000000Z');
    expect(u.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(u.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('aws4 reproduces AWS\'s published signature (the library we sign with)', async () => {
    const aws4 = (await import('aws4')).default;
    const signed = aws4.sign(
      { host: 'examplebucket.s3.amazonaws.com', path: '/test.txt?X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400', method: 'GET', service: 's3', region: 'us-east-1', signQuery: true },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    );
    expect(signed.path).toContain('X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });
});

describe('S3 transport against s3rver', () => {
  let server: S3rver;
  let address: string;
  beforeAll(async () => {
    server = new S3rver({
      port: 0, address: '127.0.0.1', silent: true, directory: path.join(dir, 's3rver'), configureBuckets: [{ name: 'runner-cache', configs: [] }],
    });
    const info = await server.run();
    address = `127.0.0.1:${info.port}`;
  });
  afterAll(async () => { await server.close(); });

  const s3 = (extra: Partial<CacheConfigInput> = {}, s3extra: Record<string, unknown> = {}) => cacheConfig({
    Type: 's3', Path: 'ci', ...extra,
    s3: { ServerAddress: address, AccessKey: 'S3RVER', SecretKey: 'S3RVER', BucketName: 'runner-cache', Insecure: true, ...s3extra },
  });

  it('misses, uploads, downloads under gitlab-runner\'s object name', async () => {
    const t = createCacheTransport(s3(), scope, dir);
    expect(t.description).toBe(`s3 http://${address}/runner-cache/ci`);
    const dest = path.join(dir, 's3-restored.zip');
    await expect(t.fetch('rspec/main', dest, signal)).resolves.toBe(false);
    const src = path.join(dir, 's3-src.zip');
    await writeFile(src, Buffer.alloc(300_000, 7));
    await t.store('rspec/main', src, signal);
    await expect(t.fetch('rspec/main', dest, signal)).resolves.toBe(true);
    expect((await readFile(dest)).equals(await readFile(src))).toBe(true);

    // The object is where gitlab-runner would put it: a plain GET of the object path finds it.
    const listing = await (await fetch(`http://${address}/runner-cache?prefix=ci/`)).text();
    expect(listing).toContain('<Key>ci/runner/abcd1234/project/7/rspec/main</Key>');
  });

  it('Shared = true drops the runner part, so two runners see one cache', async () => {
    const a = createCacheTransport(s3({ Shared: true }), { runnerShortToken: 'aaaaaaaa', projectId: 9 }, dir);
    const b = createCacheTransport(s3({ Shared: true }), { runnerShortToken: 'bbbbbbbb', projectId: 9 }, dir);
    const src = path.join(dir, 'shared.zip');
    await writeFile(src, 'shared-bytes');
    await a.store('deps', src, signal);
    const dest = path.join(dir, 'shared-out.zip');
    await expect(b.fetch('deps', dest, signal)).resolves.toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('shared-bytes');
    const unshared = createCacheTransport(s3(), { runnerShortToken: 'bbbbbbbb', projectId: 9 }, dir);
    await expect(unshared.fetch('deps', dest, signal)).resolves.toBe(false);
  });

  it('reports a missing bucket, an unknown access key and an unreachable server clearly', async () => {
    const src = path.join(dir, 'err.zip');
    await writeFile(src, 'x');
    await expect(createCacheTransport(s3({}, { BucketName: 'nope' }), scope, dir).store('k', src, signal))
      .rejects.toThrow(/HTTP 404 NoSuchBucket.*fix BucketName/);
    await expect(createCacheTransport(s3({}, { AccessKey: 'WRONG' }), scope, dir).fetch('k', path.join(dir, 'y'), signal))
      .rejects.toThrow(/HTTP 403 InvalidAccessKeyId.*check AccessKey and SecretKey/);
    await expect(createCacheTransport(s3({}, { ServerAddress: '127.0.0.1:1' }), scope, dir).fetch('k', path.join(dir, 'y'), signal))
      .rejects.toThrow(/s3 http:\/\/127\.0\.0\.1:1\/runner-cache\/ci is not reachable/);
  });

  it('refuses archives over MaxUploadedArchiveSize without uploading', async () => {
    const src = path.join(dir, 'big.zip');
    await writeFile(src, Buffer.alloc(2048));
    const t = createCacheTransport(s3({ MaxUploadedArchiveSize: 1024 }), scope, dir);
    await expect(t.store('big', src, signal)).rejects.toThrow('2048 bytes, over MaxUploadedArchiveSize (1024)');
    await expect(t.fetch('big', path.join(dir, 'big-out'), signal)).resolves.toBe(false);
  });
});
