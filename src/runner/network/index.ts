// The runner's HTTP side of the GitLab v4 runner API.
export { RunnerApiClient, type ArtifactUpload, type JobRequestOptions, type JobRequestResult, type JobUpdateResult, type RunnerApiClientOptions, type TracePatchResult } from './runner-api-client.js';
export { RunnerApiError, type RunnerApiErrorKind } from './runner-api-error.js';
export { runnerInfo, RUNNER_FEATURES, type RunnerInfoOptions } from './runner-info.js';
export { backoffDelay, sleep, withRetry, type RetryOptions } from './http-retry.js';
