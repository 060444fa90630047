// POST /api/v4/jobs/request: the runner's poll (server facts §1.7). 201 carries a JobPayload,
// 204 means "no job"; every answer may carry X-GitLab-Last-Update, echoed back as `last_update`.
import { z } from 'zod';
import { runnerInfoSchema } from './runner-registration.js';

export const jobRequestSchema = z.looseObject({
  token: z.string().min(1),
  system_id: z.string().optional(),
  last_update: z.string().optional(),
  info: runnerInfoSchema.optional(),
  session: z
    .looseObject({ url: z.string().optional(), certificate: z.string().optional(), authorization: z.string().optional() })
    .optional(),
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

/** Response header that carries the runner's queue version (opaque). */
export const LAST_UPDATE_HEADER = 'X-GitLab-Last-Update';
