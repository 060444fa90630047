// `[runners.cache]`: the distributed cache (cache/cacheconfig). Its keys are CamelCase, unlike the rest
// of config.toml.
import { z } from 'zod';
import { int } from './schema-parts.js';

export const CacheS3ConfigSchema = z.strictObject({
  ServerAddress: z.string().optional(),
  AccessKey: z.string().optional(),
  SecretKey: z.string().optional(),
  SessionToken: z.string().optional(),
  BucketName: z.string().optional(),
  BucketLocation: z.string().optional(),
  Insecure: z.boolean().default(false),
  /** Unset: access-key when ServerAddress, AccessKey and SecretKey are all set, else iam. */
  AuthenticationType: z.enum(['iam', 'access-key']).optional(),
  ServerSideEncryption: z.enum(['S3', 'KMS', 'DSSE-KMS']).optional(),
  ServerSideEncryptionKeyID: z.string().optional(),
  DualStack: z.boolean().default(true),
  PathStyle: z.boolean().optional(),
  Accelerate: z.boolean().default(false),
  RoleARN: z.string().optional(),
  /** Deprecated in favour of RoleARN. */
  UploadRoleARN: z.string().optional(),
  AssumeRoleMaxConcurrency: int().min(0).default(5),
  DisableAssumeRoleCredentialsCaching: z.boolean().default(false),
});

export const CacheGCSConfigSchema = z.strictObject({
  CredentialsFile: z.string().optional(),
  AccessID: z.string().optional(),
  PrivateKey: z.string().optional(),
  BucketName: z.string().optional(),
  UniverseDomain: z.string().optional(),
});

export const CacheAzureConfigSchema = z.strictObject({
  AccountName: z.string().optional(),
  AccountKey: z.string().optional(),
  ContainerName: z.string().optional(),
  StorageDomain: z.string().optional(),
});

/**
 * Keys that old gitlab-runner versions read directly under `[runners.cache]` before `[runners.cache.s3]`
 * existed. Still seen in copied examples (GitLab's own docker-build guide has `Insecure = false` here),
 * so they load, with a warning, rather than failing.
 */
export const LEGACY_CACHE_KEYS = ['ServerAddress', 'AccessKey', 'SecretKey', 'BucketName', 'BucketLocation', 'Insecure'] as const;

export const CacheConfigSchema = z.strictObject({
  /** Empty = no distributed cache (local cache only). */
  Type: z.enum(['', 's3', 'gcs', 'azure']).optional(),
  Path: z.string().optional(),
  Shared: z.boolean().default(false),
  MaxUploadedArchiveSize: int().min(0).default(0),
  s3: CacheS3ConfigSchema.optional(),
  gcs: CacheGCSConfigSchema.optional(),
  azure: CacheAzureConfigSchema.optional(),
  ServerAddress: z.string().optional(),
  AccessKey: z.string().optional(),
  SecretKey: z.string().optional(),
  BucketName: z.string().optional(),
  BucketLocation: z.string().optional(),
  Insecure: z.boolean().optional(),
});

export type CacheConfig = z.infer<typeof CacheConfigSchema>;
export type CacheConfigInput = z.input<typeof CacheConfigSchema>;
export type CacheS3Config = z.infer<typeof CacheS3ConfigSchema>;
