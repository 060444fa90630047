// Runs compilePipelineFile in a worker thread so the fuzz test can stop a case that hangs
// (a synchronous loop would block the test's own timers). Loaded by compile-worker-entry.mjs.
import { parentPort } from 'node:worker_threads';
import { compilePipelineFile } from '../../src/pipeline/index.js';
import { buildContext } from '../fixtures/_support/load-fixture.js';

export interface FuzzRequest {
  id: number;
  dir: string;
  content: string;
}

export type FuzzResponse =
  | { id: number; ok: true; ms: number; valid: boolean; hasPipeline: boolean; jobCount: number; errors: unknown[] }
  | { id: number; ok: false; ms: number; thrown: string };

parentPort?.on('message', (req: FuzzRequest) => {
  const started = performance.now();
  const ctx = buildContext({ dir: req.dir, context: {} });
  compilePipelineFile(
    {
      projectDir: req.dir,
      file: '.gitlab-ci.yml',
      content: req.content,
      listFiles: () => ctx.repo.listFiles(),
      changedFiles: () => ctx.repo.changedFiles(),
    },
    ctx,
  ).then(
    (r) => {
      const res: FuzzResponse = {
        id: req.id,
        ok: true,
        ms: performance.now() - started,
        valid: r.valid,
        hasPipeline: r.pipeline !== undefined,
        jobCount: r.pipeline?.jobs.length ?? 0,
        errors: r.errors.slice(0, 20).map((e) => ({ file: e.file, line: e.line, column: e.column, message: String(e.message).slice(0, 300) })),
      };
      parentPort?.postMessage(res);
    },
    (err: unknown) => {
      const thrown = err instanceof Error ? (err.stack ?? err.message) : String(err);
      parentPort?.postMessage({ id: req.id, ok: false, ms: performance.now() - started, thrown } satisfies FuzzResponse);
    },
  );
});
