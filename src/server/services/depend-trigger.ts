// The `strategy: depend` trigger job a downstream pipeline reports to. Its own module: both the
// downstream creation (which creates pipelines) and the job actions (which pipeline creation
// reaches through auto-cancel) need it, and neither may import the other.
import { triggerKind } from '../../pipeline/spec/trigger.js';
import type { JobRecord, PipelineRecord } from '../store/store.js';
import type { ServerContext } from './server-context.js';

/**
 * The trigger job that created `downstream`, when it has `strategy: depend`, is its current try and
 * `downstream` is still its newest pipeline; else undefined.
 */
export async function dependingTriggerOf(ctx: ServerContext, downstream: PipelineRecord): Promise<JobRecord | undefined> {
  if (downstream.parentJobId === null) return undefined;
  const bridge = await ctx.store.jobById(downstream.parentJobId);
  if (!bridge || bridge.retried || bridge.spec.trigger === undefined) return undefined;
  const kind = triggerKind(bridge.spec.trigger);
  if (kind.kind === 'invalid' || !kind.depend) return undefined;
  return (await ctx.store.childPipelineOf(bridge.id))?.id === downstream.id ? bridge : undefined;
}
