// Property test: whatever the input, compilePipelineFile returns either a valid pipeline or a
// list of PipelineErrors with positions — it never throws, never hangs, and alias expansion is
// bounded. Each case runs in a worker so that a hang is caught by a timer and reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_ROOT, listFixtureNames } from '../fixtures/_support/load-fixture.js';
import type { FuzzRequest, FuzzResponse } from './compile-worker.js';
import { fuzzCase, parseSeed, type FuzzCase } from './mutations.js';

/** Per-case budget: far above any sane compile, low enough to call a case a hang. */
const CASE_BUDGET_MS = 5_000;
const RUNS = Number(process.env.DRYDOCK_FUZZ_RUNS ?? 300);

class CompileWorker {
  private worker = this.start();
  private nextId = 0;

  private start(): Worker {
    return new Worker(new URL('./compile-worker-entry.mjs', import.meta.url));
  }

  /** Resolves with the worker's answer, or 'hang' (after restarting the worker) past the budget. */
  run(c: FuzzCase): Promise<FuzzResponse | 'hang'> {
    const id = this.nextId++;
    const w = this.worker;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        this.worker = this.start();
        resolve('hang');
      }, CASE_BUDGET_MS);
      const onMessage = (m: FuzzResponse): void => {
        if (m.id !== id) return;
        cleanup();
        resolve(m);
      };
      const onError = (e: Error): void => {
        cleanup();
        this.worker = this.start();
        reject(e);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage({ id, dir: c.dir, content: c.content } satisfies FuzzRequest);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

function describeCase(c: FuzzCase): string {
  const shown = c.content.length > 600 ? `${c.content.slice(0, 600)}… (${c.content.length} chars)` : c.content;
  return `[${c.kind}] from ${c.dir}\n${shown}`;
}

/** The outcome contract: a pipeline, or errors that all carry a file and integer line/column. */
export function outcomeProblems(r: FuzzResponse | 'hang'): string[] {
  if (r === 'hang') return [`no answer within ${CASE_BUDGET_MS} ms (hang)`];
  if (!r.ok) return [`threw instead of returning errors:\n${r.thrown}`];
  if (r.valid) return r.hasPipeline ? [] : ['valid but without a pipeline'];
  if (r.errors.length === 0) return ['invalid but without errors'];
  return r.errors.flatMap((e) => {
    const err = e as { file?: unknown; line?: unknown; column?: unknown; message?: unknown };
    const ok = typeof err.file === 'string' && Number.isInteger(err.line) && Number.isInteger(err.column) &&
      typeof err.message === 'string' && err.message.length > 0 && !/\n\s+at .+\(.+:\d+:\d+\)/.test(err.message);
    return ok ? [] : [`error without a position or with a stack trace: ${JSON.stringify(e)}`];
  });
}

describe('compilePipelineFile under hostile input', () => {
  const worker = new CompileWorker();
  const seeds = listFixtureNames().map((n) => {
    const dir = join(FIXTURES_ROOT, n);
    return parseSeed(dir, readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
  });
  let worst = { ms: 0, kind: '' };
  const perKind = new Map<string, number>();

  afterAll(async () => {
    await worker.close();
    console.log(`fuzz: ${RUNS} cases, worst ${worst.ms.toFixed(1)} ms (${worst.kind}); cases per kind ${JSON.stringify(Object.fromEntries(perKind))}`);
  });

  it('returns a pipeline or positioned errors, never a crash or hang', async () => {
    // Every failing case is recorded (not thrown) so one run lists every distinct problem.
    const failures = new Map<string, { count: number; sample: string }>();
    await fc.assert(
      fc.asyncProperty(fuzzCase(seeds), async (c) => {
        const r = await worker.run(c);
        perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
        if (r !== 'hang' && r.ms > worst.ms) worst = { ms: r.ms, kind: c.kind };
        for (const p of outcomeProblems(r)) {
          // Group by the message and the first stack frame, e.g. "TypeError: x | at walk (...)".
          const signature = p.split('\n').slice(0, 3).join(' | ').slice(0, 300);
          const seen = failures.get(signature);
          if (seen) seen.count++;
          else failures.set(signature, { count: 1, sample: describeCase(c) });
        }
      }),
      { numRuns: RUNS },
    );
    expect(perKind.size).toBeGreaterThan(3);
    const report = [...failures].map(([sig, f]) => `${f.count}x ${sig}\n  e.g. input ${f.sample}`);
    expect(report, `distinct problems:\n${report.join('\n\n')}`).toEqual([]);
  }, 600_000);
});
