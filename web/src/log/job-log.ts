// A job's log as a LogModel: the stored trace first, then (while the job runs) the live stream
// from the byte offset reached — `append` {offset, text}, `status`, `end` — or polling of the
// raw trace when the stream is unavailable. Byte offsets are tracked so nothing is shown twice.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, type Api } from '../api.js';
import { LogModel } from './log-model.js';

/** Bytes of `bytes` that end on a UTF-8 character boundary. */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

export interface JobLog {
  model: LogModel;
  version: number;
  bytes: number;
  loading: boolean;
  error?: string;
  live: boolean;
}

export function useJobLog(api: Api, projectId: number | undefined, jobId: number, active: boolean, onStatus: () => void): JobLog {
  const [state, setState] = useState<{ model: LogModel; version: number; loading: boolean; error?: string; live: boolean }>(
    () => ({ model: new LogModel(), version: 0, loading: true, live: false }));
  const bytes = useRef(0);
  const onStatusRef = useRef(onStatus);
  onStatusRef.current = onStatus;

  useEffect(() => {
    if (projectId === undefined) return;
    const model = new LogModel();
    bytes.current = 0;
    const ac = new AbortController();
    const base = `/api/v4/projects/${enc(projectId)}/jobs/${jobId}`;
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bump = (patch: Partial<typeof state> = {}) => setState((s) => ({ ...s, model, version: s.version + 1, ...patch }));

    /** Appends raw bytes that start at byte `from` (skipping any part already shown). */
    const takeBytes = (buf: Uint8Array, from: number) => {
      const skip = bytes.current - from;
      if (skip < 0) return false; // a gap: caller reloads
      const fresh = buf.subarray(Math.min(skip, buf.length));
      const cut = completeUtf8Length(fresh);
      if (cut === 0) return true;
      model.append(decoder.decode(fresh.subarray(0, cut)));
      bytes.current += cut;
      return true;
    };
    const poll = () => {
      api.text(`${base}/trace`, ac.signal).then((buf) => {
        if (takeBytes(new Uint8Array(buf), 0)) bump();
        if (!ac.signal.aborted) timer = setTimeout(poll, 3000);
      }, () => { if (!ac.signal.aborted) timer = setTimeout(poll, 6000); });
    };
    const stream = () => {
      source = new EventSource(`${base}/trace/stream?offset=${bytes.current}`);
      let opened = false;
      source.addEventListener('append', (e) => {
        opened = true;
        const data = JSON.parse((e as MessageEvent<string>).data) as { offset: number; text: string };
        if (takeBytes(encoder.encode(data.text), data.offset)) bump();
        else { source?.close(); poll(); }
      });
      source.onopen = () => onStatusRef.current(); // the job may have moved on before the stream opened
      source.addEventListener('status', () => { opened = true; onStatusRef.current(); });
      source.addEventListener('end', () => { source?.close(); bump({ live: false }); onStatusRef.current(); });
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED || !opened) { source?.close(); source = undefined; bump({ live: false }); if (!ac.signal.aborted) poll(); }
      };
      bump({ live: true });
    };

    api.text(`${base}/trace`, ac.signal).then((buf) => {
      takeBytes(new Uint8Array(buf), 0);
      bump({ loading: false });
      if (active && !ac.signal.aborted) {
        if (typeof EventSource === 'undefined') poll(); else stream();
      }
    }, (e: unknown) => {
      if (!ac.signal.aborted) bump({ loading: false, error: e instanceof Error ? e.message : String(e) });
    });
    return () => { ac.abort(); source?.close(); if (timer) clearTimeout(timer); };
  }, [api, projectId, jobId, active]);

  return { ...state, bytes: bytes.current };
}
