// The registry's public surface for composition roots (the CLI's `drydock registry ...` commands
// and the coordinator server). Nothing here imports outside src/registry and src/shared.
export { registryRoutes, requiredScopes, type RegistryRouteDeps, type RegistryLogger, type PullThroughHook } from './http/registry-routes.js';
export { createRegistryServer, type RegistryServer, type RegistryServerOptions } from './http/registry-server.js';
export { allowAll, bearerChallenge, formatScope, isGranted, parseScope, parseScopes, type AccessScope, type AuthChallenge, type AuthorizeResult, type RegistryAuth } from './auth/registry-auth.js';
export { tokenAuth, type TokenAuthOptions } from './auth/token-auth.js';
export { issueRegistryToken, type IssueRegistryTokenOptions, type IssuedRegistryToken } from './auth/issue-registry-token.js';
export { libtrustKeyId, jwkThumbprint } from './auth/key-id.js';
export { selfSignedCertificate, certificateDerBase64, type SelfSignedCertificateOptions } from './auth/self-signed-certificate.js';
export { collectGarbage, type GcOptions, type GcReport } from './gc.js';
export { createFsStorage } from './storage/fs-storage.js';
export { createMemoryStorage } from './storage/memory-storage.js';
export type { BlobStore, MetadataStore, RegistryStorage, BlobInfo, UploadInfo, ManifestRecord, TagRecord } from './storage/registry-storage.js';
export { BlobService } from './service/blob-service.js';
export { ManifestService } from './service/manifest-service.js';
export { RepositoryAdmin, type TagSummary } from './service/repository-admin.js';
export { RegistryError, REGISTRY_ERROR_CODES, type RegistryErrorCode } from './errors.js';
export { isRepositoryName, isTag } from './reference.js';
export { PullThroughCache, type PullThroughLog } from './mirror/pull-through-cache.js';
export { UpstreamClient, parseChallenge, type UpstreamOptions } from './mirror/upstream-client.js';
