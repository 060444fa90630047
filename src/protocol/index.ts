// The GitLab v4 runner API contract shared by the runner and the coordinator.
export * from './runner-registration.js';
export * from './job-request.js';
export * from './job-payload.js';
export * from './job-update.js';
export * from './failure-reasons.js';
export { jobPayloadFromSpec, payloadVariable, type PayloadExtras } from './job-payload-from-spec.js';
export { jobSpecFromPayload } from './job-spec-from-payload.js';
export { dockerConfigFromCredentials, PAYLOAD_CREDENTIALS_SOURCE, type PayloadDockerConfig } from './registry-credentials.js';
