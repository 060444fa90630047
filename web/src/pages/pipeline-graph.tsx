// Stages as columns, jobs as cards with status and their action, `needs` drawn as SVG curves
// from the needed job to the job that needs it (measured after layout, redrawn on resize).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { urls } from '../router.js';
import type { Job, JobDetails } from '../types.js';
import { Link } from '../ui/link.js';
import { StatusIcon, statusLabel } from '../ui/status.js';

export type JobAction = 'retry' | 'cancel' | 'play';

export function jobAction(job: Job): JobAction | undefined {
  if (job.status === 'manual') return 'play';
  if (['pending', 'running', 'created', 'waiting_for_resource', 'preparing', 'scheduled'].includes(job.status)) return 'cancel';
  if (['failed', 'canceled', 'success'].includes(job.status)) return 'retry';
  return undefined;
}

const ACTION_ICON: Record<JobAction, string> = { retry: '↻', cancel: '✕', play: '▶' };

export function stageColumns(jobs: Job[], details: JobDetails[] | undefined): { stage: string; jobs: Job[] }[] {
  const index = new Map(details?.map((d) => [d.stage, d.stage_index]) ?? []);
  const order: string[] = [];
  for (const j of jobs) if (!order.includes(j.stage)) order.push(j.stage);
  order.sort((a, b) => (index.get(a) ?? order.indexOf(a)) - (index.get(b) ?? order.indexOf(b)));
  return order.map((stage) => ({ stage, jobs: jobs.filter((j) => j.stage === stage).sort((a, b) => a.name.localeCompare(b.name)) }));
}

interface Edge { d: string; key: string; }

export function PipelineGraph(props: { path: string; jobs: Job[]; details: JobDetails[] | undefined; busy: number | undefined; onAction: (job: Job, action: JobAction) => void }) {
  const { path, jobs, details } = props;
  const box = useRef<HTMLDivElement>(null);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const columns = stageColumns(jobs, details);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const draw = () => {
      const origin = el.getBoundingClientRect();
      const rect = (name: string) => el.querySelector(`[data-job-name="${CSS.escape(name)}"]`)?.getBoundingClientRect();
      const out: Edge[] = [];
      for (const d of details ?? []) {
        const to = rect(d.name);
        if (!to) continue;
        for (const need of d.needs ?? []) {
          const from = rect(need);
          if (!from || from.right > to.left) continue;
          const x1 = from.right - origin.left + el.scrollLeft;
          const y1 = from.top + from.height / 2 - origin.top;
          const x2 = to.left - origin.left + el.scrollLeft;
          const y2 = to.top + to.height / 2 - origin.top;
          const mid = (x1 + x2) / 2;
          out.push({ key: `${need}→${d.name}`, d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` });
        }
      }
      setEdges(out);
      setSize({ w: el.scrollWidth, h: el.scrollHeight });
    };
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(el);
    return () => ro.disconnect();
  }, [jobs, details]);

  return (
    <div class="graph" ref={box}>
      <svg class="needs" width={size.w} height={size.h} aria-hidden="true">
        {edges.map((e) => <path key={e.key} d={e.d} />)}
      </svg>
      {columns.map((col) => (
        <section class="stage" key={col.stage} aria-label={`Stage ${col.stage}`}>
          <h3 class="stage-name">{col.stage}</h3>
          <ul>
            {col.jobs.map((job) => {
              const action = jobAction(job);
              const needs = details?.find((d) => d.name === job.name)?.needs;
              return (
                <li key={job.id} class={`job-card st-${job.status}`} data-job-name={job.name}>
                  <Link href={urls.job(path, job.id)} title={`${job.name}: ${statusLabel(job.status)}${needs?.length ? ` (needs ${needs.join(', ')})` : ''}`}>
                    <StatusIcon status={job.status} />
                    <span class="job-name">{job.name}</span>
                    {job.allow_failure && job.status === 'failed' && <span class="sr-only">(allowed to fail)</span>}
                  </Link>
                  {action && (
                    <button type="button" class="icon-btn" disabled={props.busy === job.id}
                      aria-label={`${action[0]?.toUpperCase()}${action.slice(1)} ${job.name}`} title={`${action} ${job.name}`}
                      onClick={() => props.onAction(job, action)}>
                      <span aria-hidden="true">{ACTION_ICON[action]}</span>
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
