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
      if (pipeline.yamlErrors !== null) continue;
      // A finished child whose depend trigger job did not hear of it before the crash.
      if (isCompleted(pipeline.status)) {
        const parent = await ctx.downstream.finished(pipeline);
        if (parent !== undefined) await processPipelineNow(ctx, parent);
        continue;
      }
      await resumeBridges(ctx, pipeline.id);
      await processPipelineNow(ctx, pipeline.id);
      count++;
    }
  }
  if (count > 0) ctx.log.info({ pipelines: count }, 'reprocessed unfinished pipelines after start');
  return count;
}

/** Trigger jobs left running without a child pipeline (the crash came before it was created). */
async function resumeBridges(ctx: ServerContext, pipelineId: number): Promise<void> {
  for (const job of await ctx.store.jobsOfPipeline(pipelineId)) {
    if (job.retried || job.status !== 'running' || job.spec.trigger === undefined) continue;
    if ((await ctx.store.childPipelineOf(job.id)) === undefined) await ctx.downstream.start(job.id);
  }
}
