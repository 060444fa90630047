// Live console output of a local run: every job line prefixed with the job's name (coloured on a
// terminal), a status line when a job starts and ends, and the summary table at the end.
// Terminal output per job is capped (the log file on disk keeps everything).
import path from 'node:path';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import type { JobResult } from '../../runtime/types.js';
import { LineSplitter, displayLine } from './line-splitter.js';
import type { PipelineSummary, RunReporter } from './run-reporter.js';
import { CODES, PREFIX_COLORS, formatDuration, type Style } from './style.js';
import { renderSummaryTable } from './summary-table.js';

export interface ConsoleReporterOptions {
  write(text: string): void;
  style: Style;
  /** Bytes of one job's output shown on the console before the rest goes to the log file only. */
  outputLimit: number;
  /** Show paths relative to this directory. */
  cwd: string;
  /** Also show the runner's own lines (preparing, sources, cache, artifacts); the log file always has them. */
  verbose?: boolean;
}

interface JobView {
  prefix: string;
  splitter: LineSplitter;
  shown: number;
  truncated: boolean;
  /** The build stage (log section) the job's output is in. */
  section: string | undefined;
}

const SECTION_EVENT = /section_(start|end):\d+:([A-Za-z0-9_.-]+)/g;
/** Sections whose output the console shows: the user's scripts. */
const SCRIPT_SECTIONS = new Set(['step_script', 'after_script']);

export class ConsoleReporter implements RunReporter {
  private readonly views = new Map<string, JobView>();
  private width = 8;
  private colorIndex = new Map<string, string>();

  constructor(private readonly o: ConsoleReporterOptions) {}

  pipelineStarted(p: { id: number; jobs: readonly JobSpec[]; logDir: string }): void {
    this.width = Math.min(28, Math.max(4, ...p.jobs.map((j) => j.name.length)));
    p.jobs.forEach((j, i) => this.colorIndex.set(j.name, PREFIX_COLORS[i % PREFIX_COLORS.length] ?? '36'));
    const s = this.o.style;
    this.o.write(`${s.paint(`Pipeline #${p.id}`, CODES.bold)}: ${p.jobs.length} job(s); logs in ${this.rel(p.logDir)}\n`);
  }

  jobStarted(job: JobSpec, attempt: number): void {
    this.views.set(job.name, { prefix: this.prefix(job), splitter: new LineSplitter(), shown: 0, truncated: false, section: undefined });
    const again = attempt > 1 ? ` (attempt ${attempt})` : '';
    this.status(job, this.o.style.symbols.start, CODES.cyan, `started${again} · stage ${job.stage}`);
  }

  jobOutput(job: JobSpec, chunk: string | Buffer): void {
    const v = this.views.get(job.name);
    if (v === undefined) return;
    this.showLines(v, v.splitter.push(chunk));
  }

  jobFinished(job: JobSpec, attempt: number, result: JobResult, info: { willRetry: boolean; logFile: string }): void {
    const v = this.views.get(job.name);
    if (v !== undefined) this.showLines(v, v.splitter.flush());
    const s = this.o.style.symbols;
    const took = formatDuration(result.finishedAt.getTime() - result.startedAt.getTime());
    const why = failureText(result);
    if (result.status === 'success') {
      this.status(job, s.ok, CODES.green, `passed in ${took}`);
    } else if (info.willRetry) {
      this.status(job, s.retry, CODES.yellow, `${why} in ${took}; retrying (attempt ${attempt + 1})`);
    } else if (result.status === 'canceled') {
      this.status(job, s.cancel, CODES.red, `canceled after ${took} · log ${this.rel(info.logFile)}`);
    } else if (result.allowedToFail) {
      this.status(job, s.warn, CODES.yellow, `${why} (allowed to fail) in ${took} · log ${this.rel(info.logFile)}`);
    } else {
      this.status(job, s.fail, CODES.red, `${why} in ${took} · log ${this.rel(info.logFile)}`);
    }
  }

  jobSkipped(job: JobSpec, reason: string): void {
    this.status(job, this.o.style.symbols.skip, CODES.dim, `skipped (${reason})`);
  }

  jobManual(job: JobSpec): void {
    this.status(job, this.o.style.symbols.manual, CODES.yellow, `manual job waiting; run it with --manual ${quoteArg(job.name)}`);
  }

  jobScheduled(job: JobSpec, startAt: Date): void {
    const at = startAt.toTimeString().slice(0, 8);
    this.status(job, this.o.style.symbols.manual, CODES.yellow, `delayed job: starts in ${job.startIn ?? '?'}, at ${at} (Ctrl-C cancels; --no-delay runs delayed jobs at once)`);
  }

  jobCanceled(job: JobSpec): void {
    this.status(job, this.o.style.symbols.cancel, CODES.dim, 'canceled before it started');
  }

  notice(text: string): void {
    this.o.write(`${this.o.style.paint(text, CODES.yellow)}\n`);
  }

  childPipelineStarted(trigger: JobSpec, p: { id: number; jobs: readonly JobSpec[]; logDir: string }): void {
    // Child jobs share the trigger job's colour; the prefix column widens to fit their names.
    this.width = Math.min(40, Math.max(this.width, ...p.jobs.map((j) => j.name.length)));
    for (const j of p.jobs) this.colorIndex.set(j.name, this.colorIndex.get(trigger.name) ?? '36');
    this.status(trigger, this.o.style.symbols.start, CODES.cyan, `child pipeline #${p.id}: ${p.jobs.length} job(s); logs in ${this.rel(p.logDir)}`);
  }

  childPipelineFinished(trigger: JobSpec, summary: PipelineSummary): void {
    const s = this.o.style.symbols;
    const ok = summary.status === 'success';
    const word = ok ? 'passed' : summary.status;
    this.status(trigger, ok ? s.ok : s.fail, ok ? CODES.green : CODES.red, `child pipeline #${summary.id} ${word} in ${formatDuration(summary.durationMs)}`);
  }

  pipelineFinished(summary: PipelineSummary): void {
    const s = this.o.style;
    this.o.write(`\n${renderSummaryTable(summary.rows, s)}`);
    const color = summary.status === 'success' ? CODES.green : summary.status === 'failed' || summary.status === 'canceled' ? CODES.red : CODES.yellow;
    const word = summary.status === 'success' ? 'passed' : summary.status;
    this.o.write(`${s.paint(`Pipeline #${summary.id} ${word}`, color)} in ${formatDuration(summary.durationMs)} · logs in ${this.rel(summary.logDir)}\n`);
    if (summary.status === 'blocked' && summary.waitingManual.length > 0) {
      this.o.write(`Blocked by manual job(s): ${summary.waitingManual.join(', ')}; play with ${summary.waitingManual.map((n) => `--manual ${quoteArg(n)}`).join(' ')}\n`);
    }
  }

  private showLines(v: JobView, lines: string[]): void {
    for (const raw of lines) {
      if (v.truncated) return;
      if (!this.visible(v, raw)) continue;
      const line = displayLine(raw, this.o.style.color);
      v.shown += line.length + 1;
      if (v.shown > this.o.outputLimit) {
        v.truncated = true;
        this.o.write(`${v.prefix}${this.o.style.paint(`… output longer than ${formatBytes(this.o.outputLimit)}; the rest is only in the job's log file`, CODES.yellow)}\n`);
        return;
      }
      this.o.write(`${v.prefix}${line}${this.o.style.color ? '\x1b[0m' : ''}\n`);
    }
  }

  /**
   * The console shows what the user's scripts print (and the after_script header), plus the
   * runner's warnings and errors; the runner's routine lines stay in the log file unless verbose.
   */
  private visible(v: JobView, raw: string): boolean {
    let header = false;
    for (const m of raw.matchAll(SECTION_EVENT)) {
      if (m[1] === 'start') {
        v.section = m[2];
        header = true;
      } else {
        v.section = undefined;
      }
    }
    if (this.o.verbose === true) return true;
    if (v.section !== undefined && SCRIPT_SECTIONS.has(v.section)) return !header || v.section === 'after_script';
    const plain = displayLine(raw, false);
    return (/^(WARNING|ERROR)\b/.test(plain) && !/Job (failed|succeeded)/.test(plain)) || plain.startsWith('JUnit report:');
  }

  private status(job: JobSpec, symbol: string, code: string, text: string): void {
    this.o.write(`${this.prefix(job)}${this.o.style.paint(`${symbol} ${text}`, code)}\n`);
  }

  private prefix(job: JobSpec): string {
    const name = job.name.length > this.width ? `${job.name.slice(0, this.width - 1)}…` : job.name.padEnd(this.width);
    return this.o.style.color ? `${this.o.style.paint(name, this.colorIndex.get(job.name) ?? '36')} │ ` : `[${name}] `;
  }

  private rel(p: string): string {
    const r = path.relative(this.o.cwd, p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  }
}

export function failureText(r: JobResult): string {
  if (r.status === 'canceled') return 'canceled';
  if (r.failureReason === 'job_execution_timeout') return 'failed: timed out';
  if (r.failureReason === 'script_failure' && r.exitCode !== undefined) return `failed: exit code ${r.exitCode}`;
  return `failed (${r.failureReason ?? 'unknown_failure'})`;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
