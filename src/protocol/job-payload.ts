// The 201 body of POST /api/v4/jobs/request (Entities::Ci::JobRequest::Response, server facts §1.7).
// Parsing is lenient like the runner's: absent lists default to [], unknown keys are kept.
import { z } from 'zod';

export const payloadVariableSchema = z.looseObject({
  key: z.string(),
  value: z.string().default(''),
  public: z.boolean().default(true),
  masked: z.boolean().default(false),
  file: z.boolean().optional(),
  raw: z.boolean().optional(),
});
export type PayloadVariable = z.infer<typeof payloadVariableSchema>;

export const jobInfoSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  stage: z.string(),
  pipeline_id: z.number().int(),
  project_id: z.number().int(),
  project_name: z.string(),
  project_full_path: z.string().optional(),
  namespace_id: z.number().int().optional(),
  root_namespace_id: z.number().int().optional(),
  user_id: z.number().int().nullable().optional(),
  time_in_queue_seconds: z.number().optional(),
  queue_size: z.number().optional(),
  queue_depth: z.number().optional(),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

export const gitInfoSchema = z.looseObject({
  repo_url: z.string(),
  ref: z.string(),
  sha: z.string(),
  before_sha: z.string().default('0'.repeat(40)),
  ref_type: z.enum(['branch', 'tag']).default('branch'),
  refspecs: z.array(z.string()).default([]),
  depth: z.number().int().default(0),
  repo_object_format: z.string().optional(),
  protected: z.boolean().nullable().optional(),
});
export type GitInfo = z.infer<typeof gitInfoSchema>;

export const runnerInfoPayloadSchema = z.looseObject({
  timeout: z.number().int().default(7200),
  runner_session_url: z.string().nullable().optional(),
});

export const stepSchema = z.looseObject({
  name: z.string(),
  script: z.array(z.string()).default([]),
  timeout: z.number().int().optional(),
  when: z.enum(['on_success', 'on_failure', 'always']).default('on_success'),
  allow_failure: z.boolean().default(false),
});
export type PayloadStep = z.infer<typeof stepSchema>;

export const hookSchema = z.looseObject({ name: z.string(), script: z.array(z.string()).default([]) });

const pullPolicySchema = z.enum(['always', 'if-not-present', 'never']);
export const portSchema = z.looseObject({ number: z.number().int(), protocol: z.string().optional(), name: z.string().optional() });

export const executorOptsSchema = z.looseObject({
  docker: z.looseObject({ platform: z.string().optional(), user: z.string().optional() }).optional(),
  kubernetes: z.looseObject({ user: z.string().optional() }).optional(),
});

export const payloadImageSchema = z.looseObject({
  name: z.string(),
  entrypoint: z.array(z.string()).nullable().optional(),
  ports: z.array(portSchema).default([]),
  executor_opts: executorOptsSchema.nullable().optional(),
  pull_policy: z.array(pullPolicySchema).nullable().optional(),
});
export type PayloadImage = z.infer<typeof payloadImageSchema>;

export const payloadServiceSchema = payloadImageSchema.extend({
  alias: z.string().nullable().optional(),
  command: z.array(z.string()).nullable().optional(),
  variables: z.array(z.looseObject({ key: z.string(), value: z.string().default('') })).nullable().optional(),
});
export type PayloadService = z.infer<typeof payloadServiceSchema>;

export const payloadArtifactSchema = z.looseObject({
  name: z.string().optional(),
  untracked: z.boolean().default(false),
  paths: z.array(z.string()).default([]),
  exclude: z.array(z.string()).optional(),
  when: z.enum(['on_success', 'on_failure', 'always']).default('on_success'),
  expire_in: z.string().nullable().optional(),
  artifact_type: z.string().default('archive'),
  artifact_format: z.string().default('zip'),
});
export type PayloadArtifact = z.infer<typeof payloadArtifactSchema>;

export const payloadCacheSchema = z.looseObject({
  key: z.string().default('default'),
  untracked: z.boolean().default(false),
  paths: z.array(z.string()).default([]),
  policy: z.enum(['pull', 'push', 'pull-push']).default('pull-push'),
  when: z.enum(['on_success', 'on_failure', 'always']).default('on_success'),
  fallback_keys: z.array(z.string()).default([]),
});
export type PayloadCache = z.infer<typeof payloadCacheSchema>;

export const credentialSchema = z.looseObject({
  type: z.string(),
  url: z.string(),
  username: z.string(),
  password: z.string(),
});
export type PayloadCredential = z.infer<typeof credentialSchema>;

export const dependencySchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  token: z.string(),
  artifacts_file: z.looseObject({ filename: z.string(), size: z.number() }).nullable().optional(),
});
export type PayloadDependency = z.infer<typeof dependencySchema>;

export const jobPayloadSchema = z.looseObject({
  id: z.number().int(),
  token: z.string(),
  allow_git_fetch: z.boolean().default(true),
  job_info: jobInfoSchema,
  git_info: gitInfoSchema,
  runner_info: runnerInfoPayloadSchema.default({ timeout: 7200 }),
  variables: z.array(payloadVariableSchema).default([]),
  steps: z.array(stepSchema).default([]),
  hooks: z.array(hookSchema).default([]),
  image: payloadImageSchema.nullable().optional(),
  services: z.array(payloadServiceSchema).nullable().default([]),
  artifacts: z.array(payloadArtifactSchema).nullable().default([]),
  cache: z.array(payloadCacheSchema).nullable().default([]),
  credentials: z.array(credentialSchema).nullable().default([]),
  features: z.looseObject({ trace_sections: z.boolean().optional(), failure_reasons: z.array(z.string()).optional() }).default({}),
  dependencies: z.array(dependencySchema).nullable().default([]),
});
export type JobPayload = z.infer<typeof jobPayloadSchema>;
