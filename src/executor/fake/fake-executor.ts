// A variable-driven executor for testing the runtime, the scheduler and the runner without a
// daemon or a shell (Woodpecker's dummy backend). It runs nothing; job variables decide what
// each stage does:
//
//   FAKE_EXIT_CODE        step_script's exit code (default 0)
//   FAKE_AFTER_EXIT_CODE  after_script's exit code (default 0)
//   FAKE_GET_SOURCES_EXIT_CODE  exit code of a get_sources script (the runner's hooks; default 0)
//   FAKE_SLEEP_MS         step_script takes this long; a fired signal ends it early with exit 143
//   FAKE_OUTPUT           written to the sink by step_script (`\n` escapes become newlines)
//   FAKE_OUTPUT_CHUNK     split FAKE_OUTPUT into writes of this many bytes (tests chunk boundaries)
//   FAKE_PREPARE_ERROR    prepare() throws ExecutorError with this message; a `reason:` prefix
//                         such as `image_pull_failure: no such image` picks the failure reason
//   FAKE_RUN_ERROR        step_script throws ExecutorError with this message (same prefix rule)
//   FAKE_PREPARE_SLEEP_MS prepare() takes this long (honours its signal)
//
// Every call is recorded in `calls`, in order, with the stage and the generated script.
import { CancelledError } from '../../shared/abort.js';
import type { LogSink } from '../../shared/log-sink.js';
import { type BuildStage, type Executor, ExecutorError, type ExecutorJob, type JobPaths, type StageResult, type StepRequest } from '../executor.js';

export interface FakeCall {
  method: 'prepare' | 'run' | 'cleanup';
  runId: string;
  stage?: BuildStage;
  script?: string;
  /** Whether the call's signal had fired by the time the call returned. */
  aborted: boolean;
  at: number;
}

const REASONS = ['runner_system_failure', 'image_pull_failure', 'script_failure', 'runner_configuration_error'] as const;
type Reason = (typeof REASONS)[number];

export class FakeExecutor implements Executor {
  readonly name: string;
  readonly calls: FakeCall[] = [];

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? 'fake';
  }

  jobPaths(job: Pick<ExecutorJob, 'projectPath'>): JobPaths {
    const projectDir = `/builds/${job.projectPath}`;
    return { buildsDir: '/builds', projectDir, tmpDir: `${projectDir}.tmp` };
  }

  async prepare(job: ExecutorJob, sink: LogSink, signal: AbortSignal): Promise<void> {
    sink.write(`Using fake executor for ${job.spec.name}...\n`);
    try {
      const completed = await sleep(Number(variable(job, 'FAKE_PREPARE_SLEEP_MS') ?? 0), signal);
      if (!completed) throw new CancelledError('prepare aborted');
      const error = variable(job, 'FAKE_PREPARE_ERROR');
      if (error !== undefined) throw executorError(error);
    } finally {
      this.record({ method: 'prepare', runId: job.runId, aborted: signal.aborted });
    }
  }

  async run(job: ExecutorJob, step: StepRequest, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    let result: StageResult = { exitCode: 0 };
    try {
      if (step.stage === 'step_script') result = await this.stepScript(job, sink, signal);
      if (step.stage === 'after_script') result = { exitCode: Number(variable(job, 'FAKE_AFTER_EXIT_CODE') ?? 0) };
      if (step.stage === 'get_sources') result = { exitCode: Number(variable(job, 'FAKE_GET_SOURCES_EXIT_CODE') ?? 0) };
      return result;
    } finally {
      this.record({ method: 'run', runId: job.runId, stage: step.stage, script: step.script, aborted: signal.aborted });
    }
  }

  async cleanup(job: ExecutorJob, signal: AbortSignal): Promise<void> {
    this.record({ method: 'cleanup', runId: job.runId, aborted: signal.aborted });
  }

  /** The stages run for one job, in order. */
  stagesOf(runId: string): BuildStage[] {
    return this.calls.filter((c) => c.runId === runId && c.stage !== undefined).map((c) => c.stage as BuildStage);
  }

  private async stepScript(job: ExecutorJob, sink: LogSink, signal: AbortSignal): Promise<StageResult> {
    const error = variable(job, 'FAKE_RUN_ERROR');
    if (error !== undefined) throw executorError(error);
    const output = variable(job, 'FAKE_OUTPUT');
    if (output !== undefined) {
      const bytes = Buffer.from(output.replaceAll('\\n', '\n'));
      const size = Math.max(1, Number(variable(job, 'FAKE_OUTPUT_CHUNK') ?? bytes.length));
      for (let i = 0; i < bytes.length; i += size) sink.write(bytes.subarray(i, i + size));
    }
    const completed = await sleep(Number(variable(job, 'FAKE_SLEEP_MS') ?? 0), signal);
    if (!completed) return { exitCode: 143, signal: 'SIGTERM' };
    return { exitCode: Number(variable(job, 'FAKE_EXIT_CODE') ?? 0) };
  }

  private record(call: Omit<FakeCall, 'at'>): void {
    this.calls.push({ ...call, at: Date.now() });
  }
}

function variable(job: ExecutorJob, key: string): string | undefined {
  let value: string | undefined;
  for (const v of job.variables) if (v.key === key) value = v.value;
  return value;
}

function executorError(text: string): ExecutorError {
  const match = /^([a-z_]+):\s*(.*)$/s.exec(text);
  const reason = match && (REASONS as readonly string[]).includes(match[1] as string) ? (match[1] as Reason) : undefined;
  return reason ? new ExecutorError(match?.[2] ?? text, reason) : new ExecutorError(text);
}

/** Resolves true after `ms`, or false as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(ms <= 0);
  if (!(ms > 0)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
