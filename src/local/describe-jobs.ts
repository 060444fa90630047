// `drydock run --list`: the jobs of the compiled pipeline, by stage, with when/needs.
import type { Pipeline } from '../pipeline/spec/job-spec.js';

export function describeJobs(p: Pipeline): string {
  const width = Math.max(4, ...p.jobs.map((j) => j.name.length));
  const stageWidth = Math.max(5, ...p.jobs.map((j) => j.stage.length));
  const lines = [`${'job'.padEnd(width)}  ${'stage'.padEnd(stageWidth)}  when        needs`];
  for (const j of p.jobs) {
    const needs = j.needs === null ? '(stage order)' : j.needs.length === 0 ? '[]' : j.needs.map((n) => n.job).join(', ');
    const when = j.when + (j.allowFailure === true ? '*' : '');
    lines.push(`${j.name.padEnd(width)}  ${j.stage.padEnd(stageWidth)}  ${when.padEnd(10)}  ${needs}`);
  }
  lines.push('(* allowed to fail)');
  return `${lines.join('\n')}\n`;
}
