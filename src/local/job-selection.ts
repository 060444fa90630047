// `drydock run [JOB...]`: which jobs of the pipeline run. Named jobs bring what they need: their
// `needs` and the jobs whose artifacts they download (dependencies), transitively.
import type { JobSpec } from '../pipeline/spec/job-spec.js';

export type Selection =
  | { ok: true; jobs: JobSpec[] }
  | { ok: false; message: string };

export function selectJobs(all: readonly JobSpec[], names: readonly string[], opts: { withNeeds: boolean }): Selection {
  if (names.length === 0) return { ok: true, jobs: [...all] };
  const byName = new Map(all.map((j) => [j.name, j]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const lines = unknown.map((n) => {
      const close = closeNames(n, [...byName.keys()]);
      return close.length > 0 ? `no job named "${n}" in the pipeline; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : `no job named "${n}" in the pipeline`;
    });
    const names = [...byName.keys()];
    const listing = names.length <= 30 ? `\njobs in this pipeline: ${names.join(', ')}` : '';
    return { ok: false, message: lines.join('\n') + listing };
  }
  const chosen = new Set<string>();
  const visit = (name: string): void => {
    if (chosen.has(name)) return;
    const j = byName.get(name);
    if (j === undefined) return;
    chosen.add(name);
    if (!opts.withNeeds) return;
    for (const n of j.needs ?? []) visit(n.job);
    for (const d of j.dependencies) visit(d);
  };
  for (const n of names) visit(n);
  return { ok: true, jobs: all.filter((j) => chosen.has(j.name)) };
}

/** Job names within a small edit distance, or sharing a prefix/substring, best first. */
export function closeNames(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const scored = candidates
    .map((c) => {
      const lc = c.toLowerCase();
      const dist = editDistance(lower, lc);
      const contains = lc.includes(lower) || lower.includes(lc);
      return { c, score: contains ? Math.min(dist, 1) : dist };
    })
    .filter((s) => s.score <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c));
  return scored.slice(0, max).map((s) => s.c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
