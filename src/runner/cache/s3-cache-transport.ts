// The S3-compatible distributed cache ([runners.cache] Type = "s3"): each transfer is one plain HTTP
// GET or PUT on a SigV4 presigned URL, as gitlab-runner's helper does (it too only ever sees presigned
// URLs). Works with AWS S3 and S3 APIs such as MinIO, Ceph RGW, s3rver.
import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import aws4 from 'aws4';
import { cacheObjectName } from './cache-object-name.js';
import type { CacheScope, CacheTransport } from './cache-transport.js';

/** The settings of [runners.cache.s3] this transport uses, already resolved (see createCacheTransport). */
export interface S3Settings {
  /** host[:port], or a URL with its scheme. Default s3.amazonaws.com. */
  serverAddress: string;
  accessKey: string;
  secretKey: string;
  sessionToken?: string;
  bucketName: string;
  /** Region; default us-east-1. */
  bucketLocation: string;
  insecure: boolean;
  /** Unset: path-style for everything but AWS itself. */
  pathStyle?: boolean;
  serverSideEncryption?: 'S3' | 'KMS' | 'DSSE-KMS';
  serverSideEncryptionKeyId?: string;
  /** Object-name prefix (`Path`). */
  path?: string;
  shared: boolean;
  /** Bytes; 0 = no limit. */
  maxUploadedArchiveSize: number;
}

export class CacheTransportError extends Error {
  override readonly name = 'CacheTransportError';
}

/** How long a presigned URL stays valid; it is used at once, so short is enough. */
const PRESIGN_SECONDS = 3600;

export class S3CacheTransport implements CacheTransport {
  readonly description: string;
  private readonly base: URL;
  private readonly pathStyle: boolean;

  constructor(private readonly s3: S3Settings, private readonly scope: CacheScope) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s3.serverAddress) ? s3.serverAddress : `${s3.insecure ? 'http' : 'https'}://${s3.serverAddress}`;
    this.base = new URL(withScheme);
    this.pathStyle = s3.pathStyle ?? !/(^|\.)amazonaws\.com$/.test(this.base.hostname);
    this.description = `s3 ${this.base.origin}/${s3.bucketName}${s3.path ? `/${s3.path.replace(/^\/+|\/+$/g, '')}` : ''}`;
  }

  /** The presigned URL and the headers that must be sent with it (they are part of the signature). */
  presign(method: 'GET' | 'PUT', key: string, now?: Date): { url: string; headers: Record<string, string> } {
    const object = cacheObjectName({ ...(this.s3.path !== undefined ? { path: this.s3.path } : {}), shared: this.s3.shared }, this.scope, key);
    const encoded = object.split('/').map(encodeRfc3986).join('/');
    const host = this.pathStyle ? this.base.host : `${this.s3.bucketName}.${this.base.host}`;
    const pathname = this.pathStyle ? `/${encodeRfc3986(this.s3.bucketName)}/${encoded}` : `/${encoded}`;
    const headers: Record<string, string> = method === 'PUT' ? sseHeaders(this.s3) : {};
    const date = now ? `&X-Amz-Date=${now.toISOString().replace(/[:-]|\.\d{3}/g, '')}` : '';
    const signed = aws4.sign(
      { host, path: `${pathname}?X-Amz-Expires=${PRESIGN_SECONDS}${date}`, method, service: 's3', region: this.s3.bucketLocation, signQuery: true, headers: { ...headers } },
      { accessKeyId: this.s3.accessKey, secretAccessKey: this.s3.secretKey, ...(this.s3.sessionToken ? { sessionToken: this.s3.sessionToken } : {}) },
    );
    return { url: `${this.base.protocol}//${host}${signed.path ?? pathname}`, headers };
  }

  async fetch(key: string, destFile: string, signal: AbortSignal): Promise<boolean> {
    const { url, headers } = this.presign('GET', key);
    const res = await this.send(url, { method: 'GET', headers, signal }, `download cache "${key}"`);
    if (res.status === 404) {
      await res.body?.cancel();
      return false;
    }
    if (res.status !== 200 || !res.body) throw await this.failure(res, `download cache "${key}"`);
    await mkdir(path.dirname(destFile), { recursive: true });
    const tmp = `${destFile}.${randomBytes(4).toString('hex')}.part`;
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(tmp), { signal });
      await rename(tmp, destFile);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return true;
  }

  async store(key: string, srcFile: string, signal: AbortSignal): Promise<void> {
    const { size } = await stat(srcFile);
    const limit = this.s3.maxUploadedArchiveSize;
    if (limit > 0 && size > limit) {
      throw new CacheTransportError(`cache archive for "${key}" is ${size} bytes, over MaxUploadedArchiveSize (${limit}): not uploaded to ${this.description}`);
    }
    const { url, headers } = this.presign('PUT', key);
    // A Blob backed by the file: streamed from disk, with a Content-Length (S3 refuses chunked PUTs).
    const body = await openAsBlob(srcFile);
    const res = await this.send(url, { method: 'PUT', headers, body, signal }, `upload cache "${key}"`);
    if (res.status !== 200 && res.status !== 201 && res.status !== 204) throw await this.failure(res, `upload cache "${key}"`);
    await res.body?.cancel();
  }

  private async send(url: string, init: RequestInit & { signal: AbortSignal }, what: string): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (init.signal.aborted) throw err;
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
      throw new CacheTransportError(`cannot ${what}: ${this.description} is not reachable (${cause})`);
    }
  }

  private async failure(res: Response, what: string): Promise<CacheTransportError> {
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    const detail = [code, message].filter(Boolean).join(': ');
    return new CacheTransportError(`cannot ${what} on ${this.description}: HTTP ${res.status}${detail ? ` ${detail}` : ''}${hint(code)}`);
  }
}

function hint(code: string | undefined): string {
  switch (code) {
    case 'NoSuchBucket': return ' (create the bucket, or fix BucketName in [runners.cache.s3])';
    case 'InvalidAccessKeyId': case 'SignatureDoesNotMatch': return ' (check AccessKey and SecretKey in [runners.cache.s3])';
    case 'AuthorizationHeaderMalformed': return ' (check BucketLocation in [runners.cache.s3])';
    default: return '';
  }
}

function sseHeaders(s3: S3Settings): Record<string, string> {
  switch (s3.serverSideEncryption) {
    case 'S3': return { 'x-amz-server-side-encryption': 'AES256' };
    case 'KMS':
    case 'DSSE-KMS':
      return {
        'x-amz-server-side-encryption': s3.serverSideEncryption === 'KMS' ? 'aws:kms' : 'aws:kms:dsse',
        ...(s3.serverSideEncryptionKeyId ? { 'x-amz-server-side-encryption-aws-kms-key-id': s3.serverSideEncryptionKeyId } : {}),
      };
    default: return {};
  }
}

/** encodeURIComponent plus the characters RFC 3986 reserves, as SigV4 canonical URIs need. */
function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
