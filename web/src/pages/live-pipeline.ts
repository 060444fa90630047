// A pipeline and its jobs kept current: the server's SSE stream (`pipeline`, `jobs`, `end`),
// or polling every 3 s when the stream is unavailable.
import { useEffect, useState } from 'preact/hooks';
import { enc, type Api } from '../api.js';
import type { Job, Pipeline } from '../types.js';
import { ACTIVE } from '../ui/status.js';

export interface LivePipeline {
  pipeline: Pipeline | undefined;
  jobs: Job[] | undefined;
  error: string | undefined;
  live: 'stream' | 'polling' | 'idle';
  refresh: () => void;
}

export function useLivePipeline(api: Api, projectId: number | undefined, pipelineId: number): LivePipeline {
  const [pipeline, setPipeline] = useState<Pipeline>();
  const [jobs, setJobs] = useState<Job[]>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<LivePipeline['live']>('idle');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (projectId === undefined) return;
    const base = `/api/v4/projects/${enc(projectId)}/pipelines/${pipelineId}`;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | undefined;
    const load = async () => {
      // Trigger jobs are listed apart from the other jobs (as on GitLab); the stream sends both.
      const [p, j, bridges] = await Promise.all([
        api.get<Pipeline>(base, ac.signal),
        api.get<Job[]>(`${base}/jobs?per_page=100`, ac.signal),
        api.get<Job[]>(`${base}/bridges?per_page=100`, ac.signal),
      ]);
      setPipeline(p);
      setJobs([...j, ...bridges].sort((a, b) => a.id - b.id));
      setError(undefined);
      return p;
    };
    const poll = () => {
      setLive('polling');
      load().then((p) => {
        if (ACTIVE.has(p.status) && !ac.signal.aborted) timer = setTimeout(poll, 3000);
        else setLive('idle');
      }, (e: unknown) => {
        if (ac.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        timer = setTimeout(poll, 6000);
      });
    };
    load().then((p) => {
      if (ac.signal.aborted || !ACTIVE.has(p.status)) return;
      if (typeof EventSource === 'undefined') return poll();
      source = new EventSource(`${base}/stream`);
      let gotEvent = false;
      setLive('stream');
      source.addEventListener('pipeline', (e) => { gotEvent = true; setPipeline(JSON.parse((e as MessageEvent<string>).data) as Pipeline); });
      source.addEventListener('jobs', (e) => { gotEvent = true; setJobs(JSON.parse((e as MessageEvent<string>).data) as Job[]); });
      source.addEventListener('end', () => { source?.close(); setLive('idle'); });
      source.onerror = () => {
        // Closed for good (404, not supported): poll instead; otherwise EventSource reconnects itself.
        if (source?.readyState === EventSource.CLOSED || !gotEvent) { source?.close(); source = undefined; if (!ac.signal.aborted) poll(); }
      };
    }, (e: unknown) => { if (!ac.signal.aborted) setError(e instanceof Error ? e.message : String(e)); });
    return () => { ac.abort(); source?.close(); if (timer) clearTimeout(timer); };
  }, [api, projectId, pipelineId, tick]);

  return { pipeline, jobs, error, live, refresh: () => setTick((t) => t + 1) };
}
