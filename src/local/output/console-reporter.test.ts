import { describe, it, expect } from 'vitest';
import type { JobSpec } from '../../pipeline/spec/job-spec.js';
import { ConsoleReporter } from './console-reporter.js';
import { LineSplitter, displayLine } from './line-splitter.js';
import { plainStyle } from './style.js';

const job = { name: 'build', stage: 'build' } as JobSpec;

function reporter(limit = 1000) {
  const out: string[] = [];
  const r = new ConsoleReporter({ write: (t) => out.push(t), style: plainStyle, outputLimit: limit, cwd: '/p' });
  r.pipelineStarted({ id: 1, jobs: [job], logDir: '/p/.drydock/pipelines/1' });
  return { r, text: () => out.join('') };
}

describe('ConsoleReporter (plain)', () => {
  it('prefixes every line, joins partial chunks and strips colours and section markers', () => {
    const { r, text } = reporter();
    r.jobStarted(job, 1);
    r.jobOutput(job, 'Running with drydock\nsection_start:1700000000:step_script\r\x1b[0K\x1b[36;1mExecuting\x1b[0;m\nhel');
    r.jobOutput(job, Buffer.from('lo\nworld'));
    const now = new Date();
    r.jobFinished(job, 1, { status: 'failed', failureReason: 'script_failure', exitCode: 3, allowedToFail: false, timings: [], startedAt: now, finishedAt: now }, { willRetry: false, logFile: '/p/.drydock/pipelines/1/build.log' });
    expect(text()).toContain('[build] > started · stage build\n');
    expect(text()).toContain('[build] hello\n[build] world\n');
    expect(text()).not.toContain('Executing');
    expect(text()).toContain('[build] FAIL failed: exit code 3 in 0ms · log .drydock/pipelines/1/build.log\n');
  });

  it('shows script output and runner warnings, keeps routine runner lines for the log file', () => {
    const { r, text } = reporter();
    r.jobStarted(job, 1);
    r.jobOutput(job, 'Running with drydock 0.1.0\nsection_start:1:get_sources\r\x1b[0KGetting source\nFetching changes...\n');
    r.jobOutput(job, '\x1b[0;33mWARNING: cache: no matching files\x1b[0;m\nsection_end:1:get_sources\r\x1b[0Ksection_start:1:step_script\r\x1b[0KExecuting\nmine\n');
    r.jobOutput(job, 'section_end:1:step_script\r\x1b[0Ksection_start:1:after_script\r\x1b[0KRunning after_script\nafter\nsection_end:1:after_script\r\x1b[0K\x1b[32;1mJob succeeded\x1b[0;m\n');
    const shown = text().split('\n').filter((l) => l.startsWith('[build] ') && !l.includes('started'));
    expect(shown).toEqual(['[build] WARNING: cache: no matching files', '[build] mine', '[build] Running after_script', '[build] after']);
  });

  it('stops showing a job after the output limit and says so once', () => {
    const { r, text } = reporter(100);
    r.jobStarted(job, 1);
    r.jobOutput(job, 'section_start:1:step_script\r\x1b[0KExecuting\n');
    for (let i = 0; i < 50; i++) r.jobOutput(job, `line ${i}\n`);
    expect(text().match(/output longer than/g)).toHaveLength(1);
    expect(text()).not.toContain('line 49');
  });
});

describe('line splitting', () => {
  it('decodes UTF-8 split across chunks and cuts endless lines', () => {
    const s = new LineSplitter(10);
    const euro = Buffer.from('€\n');
    expect(s.push(euro.subarray(0, 1))).toEqual([]);
    expect(s.push(euro.subarray(1))).toEqual(['€']);
    expect(s.push('x'.repeat(25))).toEqual(['x'.repeat(10) + '… (line cut)']);
  });

  it('makes binary and carriage returns safe to print', () => {
    expect(displayLine('a\x00b\x07c\x1bZ', false)).toBe('a?b?c?Z');
    expect(displayLine('10%\r50%\r100%\r', false)).toBe('100%');
  });
});
