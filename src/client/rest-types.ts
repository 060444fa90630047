// The GitLab REST v4 shapes the CLI reads (validated at the boundary; unknown fields are kept so
// `--json` prints what the server sent).
import { z } from 'zod';

export const pipelineSchema = z.looseObject({
  id: z.number(),
  iid: z.number().optional(),
  project_id: z.number().optional(),
  ref: z.string(),
  sha: z.string(),
  status: z.string(),
  source: z.string().optional(),
  created_at: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
  started_at: z.string().nullable().optional(),
  finished_at: z.string().nullable().optional(),
  duration: z.number().nullable().optional(),
  yaml_errors: z.string().nullable().optional(),
  web_url: z.string().optional(),
});
export type Pipeline = z.infer<typeof pipelineSchema>;

export const jobSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  stage: z.string(),
  status: z.string(),
  allow_failure: z.boolean().optional(),
  duration: z.number().nullable().optional(),
  failure_reason: z.string().optional(),
  scheduled_at: z.string().nullable().optional(),
  finished_at: z.string().nullable().optional(),
  pipeline: z.looseObject({ id: z.number() }).optional(),
  web_url: z.string().optional(),
  /** Trigger jobs (GET .../pipelines/:id/bridges): the child pipeline they created. */
  downstream_pipeline: z.looseObject({ id: z.number(), status: z.string() }).nullable().optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const traceAppendSchema = z.object({ offset: z.number(), text: z.string() });
export const traceStatusSchema = z.object({ status: z.string(), finished_at: z.string().nullable() });

/** Statuses after which a job or pipeline no longer changes on its own. */
export const FINAL_STATUSES: readonly string[] = ['success', 'failed', 'canceled', 'skipped'];
