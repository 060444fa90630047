// After a crash (kill -9, power loss) a job's status change may be committed while the pipeline
// processing that follows it is not: later jobs stay `created`, the pipeline never ends. On start
// every unfinished pipeline is processed once more, which is idempotent, so nothing stays stuck.
import { isCompleted } from './job-status.js';
import { processPipelineNow } from './pipeline-processor.js';
import type { ServerContext } from './server-context.js';

/** Reprocesses every pipeline whose status is not final; returns how many were looked at. */
export async function recoverPipelines(ctx: ServerContext): Promise<number> {
  let count = 0;
  for (const project of await ctx.store.listProjects()) {
    for (const pipeline of await ctx.store.listPipelines(project.id)) {
      if (isCompleted(pipeline.status) || pipeline.yamlErrors !== null) continue;
      await processPipelineNow(ctx, pipeline.id);
      count++;
    }
  }
  if (count > 0) ctx.log.info({ pipelines: count }, 'reprocessed unfinished pipelines after start');
  return count;
}
