// In-process change notifications for live views (SSE): a trace chunk was stored, a pipeline or one
// of its jobs changed. Listeners are keyed by job/pipeline id so a stream hears only its own.

type TraceListener = (offset: number, data: Uint8Array) => void;
type ChangeListener = () => void;

export class ServerEvents {
  private readonly traces = new Map<number, Set<TraceListener>>();
  private readonly pipelines = new Map<number, Set<ChangeListener>>();

  /** Calls `listener` with every chunk appended to the job's trace; returns the unsubscribe. */
  onTrace(jobId: number, listener: TraceListener): () => void {
    return subscribe(this.traces, jobId, listener);
  }

  traceAppended(jobId: number, offset: number, data: Uint8Array): void {
    for (const l of [...(this.traces.get(jobId) ?? [])]) l(offset, data);
  }

  /** Calls `listener` whenever the pipeline or one of its jobs changed; returns the unsubscribe. */
  onPipeline(pipelineId: number, listener: ChangeListener): () => void {
    return subscribe(this.pipelines, pipelineId, listener);
  }

  pipelineChanged(pipelineId: number): void {
    for (const l of [...(this.pipelines.get(pipelineId) ?? [])]) l();
  }

  /** Live subscriptions (for tests and health). */
  listeners(): number {
    let n = 0;
    for (const set of [...this.traces.values(), ...this.pipelines.values()]) n += set.size;
    return n;
  }
}

function subscribe<L>(map: Map<number, Set<L>>, key: number, listener: L): () => void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(listener);
  return () => {
    const current = map.get(key);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) map.delete(key);
  };
}
