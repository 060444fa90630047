// Runner registration endpoints of the GitLab v4 runner API (server facts §1.2–1.4):
// POST /runners, POST /runners/verify, DELETE /runners. The runner token travels in the JSON body.
import { z } from 'zod';

/** `info` as the runner sends it on every call (name, version, features...). Unknown keys are kept. */
export const runnerInfoSchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  revision: z.string().optional(),
  platform: z.string().optional(),
  architecture: z.string().optional(),
  executor: z.string().optional(),
  shell: z.string().optional(),
  features: z.record(z.string(), z.boolean()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type RunnerInfo = z.infer<typeof runnerInfoSchema>;

/** `tag_list` is an array or a comma-separated string. */
export const tagListSchema = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((t) => t.trim()).filter((t) => t !== ''));

export const registerRunnerRequestSchema = z.looseObject({
  token: z.string().min(1),
  description: z.string().optional(),
  maintenance_note: z.string().optional(),
  maintainer_note: z.string().optional(),
  info: runnerInfoSchema.optional(),
  active: z.boolean().optional(),
  paused: z.boolean().optional(),
  locked: z.boolean().optional(),
  access_level: z.enum(['not_protected', 'ref_protected']).optional(),
  run_untagged: z.boolean().optional(),
  tag_list: tagListSchema.optional(),
  maximum_timeout: z.number().int().positive().optional(),
  system_id: z.string().optional(),
});
export type RegisterRunnerRequest = z.infer<typeof registerRunnerRequestSchema>;

/** 201 of POST /runners and 200 of POST /runners/verify. */
export const runnerRegistrationResponseSchema = z.object({
  id: z.number().int(),
  token: z.string(),
  token_expires_at: z.string().nullable(),
});
export type RunnerRegistrationResponse = z.infer<typeof runnerRegistrationResponseSchema>;

export const verifyRunnerRequestSchema = z.looseObject({
  token: z.string().min(1),
  system_id: z.string().optional(),
  info: runnerInfoSchema.optional(),
});
export type VerifyRunnerRequest = z.infer<typeof verifyRunnerRequestSchema>;

export const deleteRunnerRequestSchema = z.looseObject({ token: z.string().min(1) });
export type DeleteRunnerRequest = z.infer<typeof deleteRunnerRequestSchema>;

/** 201 of POST /runners/reset_authentication_token (`token_expires_at` omitted when it never expires). */
export const resetTokenResponseSchema = z.object({
  token: z.string(),
  token_expires_at: z.string().nullable().optional(),
});
export type ResetTokenResponse = z.infer<typeof resetTokenResponseSchema>;

/** A runner token created server-side (glrt-): the runner must not send its own settings, only verify. */
export function isCreatedRunnerToken(token: string): boolean {
  return token.startsWith('glrt-');
}
