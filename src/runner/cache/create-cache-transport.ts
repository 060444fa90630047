// Picks the cache store a runner entry's [runners.cache] asks for: the local directory when no Type is
// set, S3 for Type = "s3". GCS and Azure parse but are not implemented yet: their transport fails each
// call with a message saying so, which the job reports as a cache warning (gitlab-runner also treats
// cache failures as warnings, not job failures).
import type { CacheConfig } from '../config/cache-config.js';
import type { CacheScope, CacheTransport } from './cache-transport.js';
import { LocalCacheTransport } from './local-cache-transport.js';
import { CacheTransportError, S3CacheTransport, type S3Settings } from './s3-cache-transport.js';

export { CacheTransportError } from './s3-cache-transport.js';

export function createCacheTransport(settings: CacheConfig | undefined, scope: CacheScope, localDir: string): CacheTransport {
  switch (settings?.Type ?? '') {
    case '':
      return new LocalCacheTransport(localDir, scope, settings?.Shared ?? false);
    case 's3': {
      const resolved = resolveS3(settings as CacheConfig);
      return 'error' in resolved ? new FailingTransport('s3 (misconfigured)', resolved.error) : new S3CacheTransport(resolved, scope);
    }
    default: {
      const type = settings?.Type ?? '';
      return new FailingTransport(
        `${type} (not supported)`,
        `[runners.cache] Type = "${type}" is not supported by drydock yet (only "s3" and the local cache are); `
          + 'remove Type to use the local cache, or use an S3-compatible store',
      );
    }
  }
}

/** [runners.cache.s3], with the legacy keys directly under [runners.cache] as fallback. */
export function resolveS3(cache: CacheConfig): S3Settings | { error: string } {
  const s3 = cache.s3;
  const serverAddress = s3?.ServerAddress || cache.ServerAddress || 's3.amazonaws.com';
  const accessKey = s3?.AccessKey || cache.AccessKey || '';
  const secretKey = s3?.SecretKey || cache.SecretKey || '';
  const bucketName = s3?.BucketName || cache.BucketName || '';
  if (!bucketName) return { error: '[runners.cache.s3] BucketName is empty: set the bucket the cache goes to' };
  // gitlab-runner falls back to IAM instance credentials without keys; drydock has no IAM client.
  if (s3?.AuthenticationType === 'iam' || !(accessKey && secretKey)) {
    return { error: '[runners.cache.s3] needs AccessKey and SecretKey: IAM instance credentials (AuthenticationType = "iam") are not supported by drydock' };
  }
  return {
    serverAddress,
    accessKey,
    secretKey,
    ...(s3?.SessionToken ? { sessionToken: s3.SessionToken } : {}),
    bucketName,
    bucketLocation: s3?.BucketLocation || cache.BucketLocation || 'us-east-1',
    insecure: s3?.Insecure ?? cache.Insecure ?? false,
    ...(s3?.PathStyle !== undefined ? { pathStyle: s3.PathStyle } : {}),
    ...(s3?.ServerSideEncryption ? { serverSideEncryption: s3.ServerSideEncryption } : {}),
    ...(s3?.ServerSideEncryptionKeyID ? { serverSideEncryptionKeyId: s3.ServerSideEncryptionKeyID } : {}),
    ...(cache.Path ? { path: cache.Path } : {}),
    shared: cache.Shared,
    maxUploadedArchiveSize: cache.MaxUploadedArchiveSize,
  };
}

/** A store that cannot work as configured: every call says why. */
class FailingTransport implements CacheTransport {
  constructor(readonly description: string, private readonly why: string) {}

  fetch(): Promise<boolean> {
    return Promise.reject(new CacheTransportError(this.why));
  }

  store(): Promise<void> {
    return Promise.reject(new CacheTransportError(this.why));
  }
}
