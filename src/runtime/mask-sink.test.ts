import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogSink } from '../shared/log-sink.js';
import { goQueryEscape, MASK, maskingSink, maskPatterns } from './mask-sink.js';

function collector(): LogSink & { bytes(): Buffer; writes: number } {
  const chunks: Buffer[] = [];
  const sink = {
    writes: 0,
    write(chunk: string | Buffer) {
      sink.writes++;
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    },
    bytes: () => Buffer.concat(chunks),
  };
  return sink;
}

/** Writes `input` split at `cuts` and returns what came out after flush. */
function through(secrets: string[], input: Buffer, cuts: number[] = []): Buffer {
  const out = collector();
  const sink = maskingSink(out, secrets);
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    sink.write(input.subarray(from, cut));
    from = cut;
  }
  sink.write(input.subarray(from));
  sink.flush();
  return out.bytes();
}

/** Reference: leftmost-longest replacement over the whole input at once. */
function reference(secrets: string[], input: Buffer): Buffer {
  const patterns = maskPatterns(secrets);
  const parts: Buffer[] = [];
  let i = 0;
  let plainFrom = 0;
  while (i < input.length) {
    const hit = patterns.find((p) => input.compare(p, 0, p.length, i, Math.min(input.length, i + p.length)) === 0 && i + p.length <= input.length);
    if (hit) {
      parts.push(input.subarray(plainFrom, i), Buffer.from(MASK));
      i += hit.length;
      plainFrom = i;
    } else i++;
  }
  parts.push(input.subarray(plainFrom));
  return Buffer.concat(parts);
}

describe('maskingSink', () => {
  it('replaces every occurrence of each secret', () => {
    const out = through(['s3cr3t-value', 'token-42'], Buffer.from('a s3cr3t-value b token-42 c s3cr3t-value\n'));
    expect(out.toString()).toBe(`a ${MASK} b ${MASK} c ${MASK}\n`);
  });

  it('masks the URL-encoded form too, as gitlab-runner does', () => {
    expect(goQueryEscape('p@ss word/!')).toBe('p%40ss+word%2F%21');
    const out = through(['p@ss word/!'], Buffer.from('https://u:p%40ss+word%2F%21@host and p@ss word/!'));
    expect(out.toString()).toBe(`https://u:${MASK}@host and ${MASK}`);
  });

  it('catches a secret split across writes at every possible boundary', () => {
    const secret = 'glpat-ABCDEFGHIJ';
    const input = Buffer.from(`before ${secret} after\n`);
    for (let cut = 0; cut <= input.length; cut++) {
      expect(through([secret], input, [cut]).toString()).toBe(`before ${MASK} after\n`);
    }
    // One byte per write.
    expect(through([secret], input, [...input.keys()]).toString()).toBe(`before ${MASK} after\n`);
  });

  it('masks a longer secret whole when it contains a shorter one', () => {
    expect(through(['abcdefgh', 'cdef'], Buffer.from('xxabcdefghxx cdef'), [4]).toString()).toBe(`xx${MASK}xx ${MASK}`);
  });

  it('holds back only a possible secret start, and flush releases it', () => {
    const out = collector();
    const sink = maskingSink(out, ['secretvalue']);
    sink.write('progress 50% secr');
    expect(out.bytes().toString()).toBe('progress 50% ');
    sink.write('et');
    expect(out.bytes().toString()).toBe('progress 50% ');
    sink.flush();
    expect(out.bytes().toString()).toBe('progress 50% secret');
  });

  it('passes binary data and split UTF-8 through unchanged', () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const text = Buffer.from('日本語 🚀 ünïcödé');
    const input = Buffer.concat([binary, text, binary]);
    const cuts = [1, 4097, 4098, 4099, 4100, 5000];
    expect(through(['not-present-secret'], input, cuts).equals(input)).toBe(true);
  });

  it('is a plain pass-through without secrets', () => {
    const out = collector();
    const sink = maskingSink(out, ['']);
    sink.write('abc');
    expect(out.bytes().toString()).toBe('abc');
  });

  it('matches whole-input masking for any chunking (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', ' ', '\n', '%', '+', 'é');
    const word = fc.string({ unit: alphabet, minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), fc.string({ unit: alphabet, maxLength: 80 }), fc.array(fc.nat(200)), (secrets, text, cuts) => {
        const input = Buffer.from(text);
        const bounded = cuts.map((c) => c % (input.length + 1));
        expect(through(secrets, input, bounded).toString('latin1')).toBe(reference(secrets, input).toString('latin1'));
      }),
      { numRuns: 500 },
    );
  });

  it('masks 100 MB of output in 64 KiB chunks with secrets on chunk boundaries', () => {
    const secret = 'MASKME-0123456789';
    const line = Buffer.from(`${'x'.repeat(60)} ${secret} ${'y'.repeat(40)}\n`);
    const chunk = Buffer.concat(Array.from({ length: Math.ceil(65536 / line.length) }, () => line)).subarray(0, 65536);
    let written = 0;
    let masked = 0;
    const sink = maskingSink({ write: (c) => { written += c.length; masked += countOf(Buffer.from(c), MASK); } }, [secret]);
    const total = 100 * 1024 * 1024;
    const started = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) sink.write(chunk);
    sink.flush();
    const ms = performance.now() - started;
    console.log(`mask-sink: 100 MiB in ${Math.round(ms)} ms (${Math.round(100_000 / ms)} MiB/s), ${masked} masks`);
    const chunks = total / chunk.length;
    const inChunk = countOf(chunk, secret);
    const acrossBoundary = countOf(Buffer.concat([chunk, chunk]), secret) - 2 * inChunk;
    expect(masked).toBe(chunks * inChunk + (chunks - 1) * acrossBoundary);
    expect(written).toBe(total - masked * (secret.length - MASK.length));
  });
});

function countOf(haystack: Buffer, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}
