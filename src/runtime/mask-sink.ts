// Replaces masked variable values by [MASKED] in job output before it reaches any sink.
//
// Works on bytes, so binary output and UTF-8 characters split across chunks pass through
// unchanged. Like gitlab-runner (helpers/trace/mask.go), each secret is also masked in its
// URL-encoded form (Go's url.QueryEscape). A secret split across two writes is still caught: the
// sink holds back only the longest tail of the output that is the start of some secret (bounded
// by the longest secret), and releases it with the next write or with flush(). Overlapping
// secrets are resolved leftmost-longest.
import type { LogSink } from '../shared/log-sink.js';

export const MASK = '[MASKED]';

export interface MaskingSink extends LogSink {
  /** Writes out the held-back tail (at most the longest secret minus one byte). Call once output ends. */
  flush(): void;
}

export function maskingSink(inner: LogSink, secrets: readonly string[]): MaskingSink {
  const patterns = maskPatterns(secrets);
  if (patterns.length === 0) return { write: (chunk) => inner.write(chunk), flush: () => {} };
  const masker = new StreamMasker(patterns);
  const emit = (parts: Buffer[]): void => {
    const out = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    if (out.length > 0) inner.write(out);
  };
  return {
    write(chunk) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (bytes.length > 0) emit(masker.push(bytes, false));
    },
    flush() {
      emit(masker.push(Buffer.alloc(0), true));
    },
  };
}

/**
 * Leftmost-longest replacement over a byte stream. A match is only taken once no longer secret
 * could still start at or before it with the bytes not yet seen; such a tail is held back.
 */
class StreamMasker {
  private pending: Buffer = Buffer.alloc(0);
  private readonly mask = Buffer.from(MASK);
  private readonly firstBytes: Set<number>;
  private readonly maxHold: number;

  constructor(private readonly patterns: Buffer[]) {
    this.firstBytes = new Set(patterns.map((p) => p[0] as number));
    this.maxHold = Math.max(...patterns.map((p) => p.length)) - 1;
  }

  /** Returns the bytes that are safe to write now. */
  push(bytes: Buffer, final: boolean): Buffer[] {
    const data = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const out: Buffer[] = [];
    const next = this.patterns.map((p) => data.indexOf(p));
    let cursor = 0;
    let holdFrom = final ? data.length : data.length - this.heldTail(data, 0);
    for (;;) {
      let best = -1;
      let which = -1;
      for (let i = 0; i < this.patterns.length; i++) {
        if (next[i] !== -1 && (next[i] as number) < cursor) next[i] = data.indexOf(this.patterns[i] as Buffer, cursor);
        const at = next[i] as number;
        if (at !== -1 && (best === -1 || at < best)) [best, which] = [at, i];
      }
      if (best === -1) break;
      if (holdFrom < cursor) holdFrom = data.length - this.heldTail(data, cursor);
      if (!final && holdFrom <= best) break;
      out.push(data.subarray(cursor, best), this.mask);
      cursor = best + (this.patterns[which] as Buffer).length;
    }
    if (!final && holdFrom < cursor) holdFrom = data.length - this.heldTail(data, cursor);
    out.push(data.subarray(cursor, holdFrom));
    this.pending = holdFrom < data.length ? Buffer.from(data.subarray(holdFrom)) : Buffer.alloc(0);
    return out;
  }

  /** Length of the longest suffix of data[from..] that is a proper prefix of some pattern. */
  private heldTail(data: Buffer, from: number): number {
    const limit = Math.min(this.maxHold, data.length - from);
    for (let len = limit; len > 0; len--) {
      const start = data.length - len;
      if (!this.firstBytes.has(data[start] as number)) continue;
      for (const p of this.patterns) {
        if (p.length > len && data.compare(p, 0, len, start, data.length) === 0) return len;
      }
    }
    return 0;
  }
}

/** Byte patterns to mask, longest first so a secret that contains another is masked whole. */
export function maskPatterns(secrets: readonly string[]): Buffer[] {
  const unique = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    unique.add(s);
    unique.add(goQueryEscape(s));
  }
  return [...unique].map((s) => Buffer.from(s)).sort((a, b) => b.length - a.length);
}

/** Go's url.QueryEscape: space → '+', everything but [A-Za-z0-9-_.~] → %XX (upper-case hex). */
export function goQueryEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
