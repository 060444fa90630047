// drydock run: `when: delayed` jobs wait their start_in (cancelable, skippable with --no-delay),
// and report artifacts other than dotenv are kept and listed, with a JUnit one-line summary.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();
const ms = (iso: string): number => new Date(iso).getTime();

describe('drydock run: delayed jobs', () => {
  it('waits start_in before a delayed job starts, says when, and lists it in the summary', async () => {
    const r = repo(`
stages: [build, deploy]
build: { stage: build, script: ['echo built'] }
deploy: { stage: deploy, when: delayed, start_in: 2 seconds, script: ['echo deployed'] }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[deploy\s*\] .*delayed job: starts in 2 seconds, at \d\d:\d\d:\d\d/);
    const p = readPipeline(r.dir);
    // The wait starts when build is done: deploy cannot start less than 2 s after it.
    expect(ms(jobOf(p, 'deploy').attempts[0]!.startedAt) - ms(jobOf(p, 'build').attempts[0]!.finishedAt)).toBeGreaterThanOrEqual(2000);
    expect(jobOf(p, 'deploy').status).toBe('success');
    expect(res.stdout).toMatch(/deploy\s+deploy\s+passed\s+\S+\s+delayed 2 seconds/);
  });

  it('--no-delay runs a delayed job at once', async () => {
    const r = repo(`
later: { when: delayed, start_in: 1 hour, script: ['echo ran-now'] }
`);
    const res = await runCli(['run', '--no-delay'], { cwd: r.dir, timeoutMs: 30_000 });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[later\s*\] ran-now/);
    expect(res.stdout).toContain('later: start_in 1 hour not waited for (--no-delay)');
  });

  it('Ctrl-C during the wait cancels the delayed job (it never runs) and exits 130', async () => {
    const r = repo(`
later: { when: delayed, start_in: 1 hour, script: ['echo should-not-run'] }
`);
    let sent = false;
    const res = await runCli(['run'], {
      cwd: r.dir,
      timeoutMs: 30_000,
      onStdout: (chunk, child) => {
        if (!sent && chunk.includes('delayed job: starts in 1 hour')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    expect(res.stdout).not.toContain('should-not-run');
    const p = readPipeline(r.dir);
    expect(jobOf(p, 'later').status).toBe('canceled');
    expect(jobOf(p, 'later').attempts).toEqual([]);
    expect(res.stdout).toMatch(/later\s+test\s+canceled/);
  });
});

describe('drydock run: report artifacts', () => {
  it('keeps junit, coverage and codequality reports, prints the JUnit counts, even for a failed job', async () => {
    const junit = `<?xml version="1.0"?>
<testsuite name="unit" tests="3"><testcase name="a"/><testcase name="b"><failure>no</failure></testcase><testcase name="c"/></testsuite>`;
    const r = repo(`
test:
  script:
    - mkdir -p out && cp fixtures/report.xml out/report-1.xml
    - echo '<coverage/>' > out/coverage.xml
    - echo '[]' > gl-code-quality.json
    - exit 1
  artifacts:
    reports:
      junit: out/report-*.xml
      coverage_report: { coverage_format: cobertura, path: out/coverage.xml }
      codequality: gl-code-quality.json
      sast: missing.json
`, { 'fixtures/report.xml': junit });
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/\[test\s*\] JUnit report: 3 tests, 1 failure, 0 errors, 0 skipped/);
    expect(res.stdout).toMatch(/test\s+test\s+failed.*reports: junit, coverage_report, codequality \(junit: 3 tests, 1 failure/);
    const p = readPipeline(r.dir);
    const dir = path.join(r.dir, '.drydock/pipelines', String(p.id), 'artifacts');
    const found = (rel: string): boolean => existsSync(path.join(dir, 'test', rel));
    expect([found('reports/junit/out/report-1.xml'), found('reports/coverage_report/out/coverage.xml'), found('reports/codequality/gl-code-quality.json')]).toEqual([true, true, true]);
    const meta = JSON.parse(readFileSync(path.join(dir, 'test', 'meta.json'), 'utf8')) as { reports: Array<{ type: string; files: string[] }> };
    expect(meta.reports.map((x) => x.type)).toEqual(['junit', 'coverage_report', 'codequality']);
    expect(readFileSync(jobOf(p, 'test').attempts[0]!.logFile, 'utf8')).toContain('missing.json: no matching files (sast report)');
  });
});
