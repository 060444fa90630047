// After a receive-pack: one pipeline per pushed branch or tag (deleted refs create none).
import { ZERO_SHA } from '../git/git-repos.js';
import type { ProjectRecord } from '../store/store.js';
import { createPipeline } from './create-pipeline.js';
import type { ServerContext } from './server-context.js';

export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

export function diffRefs(before: Map<string, string>, after: Map<string, string>): RefUpdate[] {
  const updates: RefUpdate[] = [];
  for (const [ref, sha] of after) {
    const old = before.get(ref) ?? ZERO_SHA;
    if (old !== sha) updates.push({ ref, before: old, after: sha });
  }
  for (const [ref, sha] of before) if (!after.has(ref)) updates.push({ ref, before: sha, after: ZERO_SHA });
  return updates;
}

export async function handlePush(ctx: ServerContext, project: ProjectRecord, updates: RefUpdate[], userId: number | null): Promise<void> {
  for (const u of updates) {
    if (u.after === ZERO_SHA) continue;
    const branch = u.ref.startsWith('refs/heads/');
    const tag = u.ref.startsWith('refs/tags/');
    if (!branch && !tag) continue;
    const ref = u.ref.slice(branch ? 'refs/heads/'.length : 'refs/tags/'.length);
    try {
      const r = await createPipeline(ctx, project, {
        ref, refType: branch ? 'branch' : 'tag', sha: u.after, beforeSha: u.before, source: 'push', userId,
      }, ctx.signal);
      if (!r.created) ctx.log.info({ project: project.fullPath, ref, reason: r.reason }, 'no pipeline for push');
    } catch (err) {
      ctx.log.error({ project: project.fullPath, ref, err: err instanceof Error ? err.message : String(err) }, 'pipeline creation failed');
    }
  }
}
