// drydock run: trigger jobs. Child pipelines (trigger:include) run locally with their own
// variables and output grouped under the trigger job; strategy: depend mirrors the child's result;
// multi-project triggers are skipped with a notice.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repo = ciRepoFactory();

const CHILD = `
stages: [one, two]
first:
  stage: one
  script: ['echo "child source=$CI_PIPELINE_SOURCE from-parent=$FROM_PARENT"']
second:
  stage: two
  script: ['echo second-ran; exit $CHILD_EXIT']
`;

describe('drydock run: child pipelines', () => {
  it('runs trigger:include with strategy: depend; the trigger job passes with the child, later stages wait for it', async () => {
    const r = repo(`
stages: [build, downstream, after]
build: { stage: build, script: ['echo parent-build'] }
child:
  stage: downstream
  variables: { FROM_PARENT: hello, CHILD_EXIT: '0' }
  trigger:
    include: ci/child.yml
    strategy: depend
after: { stage: after, script: ['echo parent-after'] }
`, { 'ci/child.yml': CHILD });
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[child » first\s*\] child source=parent_pipeline from-parent=hello/);
    expect(res.stdout).toMatch(/\[child\s*\] .*child pipeline #2 passed/);
    expect(res.stdout).toMatch(/^child\s+downstream\s+passed\s+\S+\s+child pipeline #2 passed$/m);
    const parent = readPipeline(r.dir, 1);
    expect(jobOf(parent, 'child').status).toBe('success');
    const childLog = readFileSync(jobOf(parent, 'child').attempts[0]!.logFile, 'utf8');
    expect(childLog).toContain('Created child pipeline #2 (2 job(s)) from ci/child.yml');
    const ms = (iso: string): number => new Date(iso).getTime();
    const childPipeline = readPipeline(r.dir, 2);
    expect(childPipeline.jobs.map((j) => [j.name, j.status])).toEqual([['first', 'success'], ['second', 'success']]);
    expect(ms(jobOf(parent, 'after').attempts[0]!.startedAt)).toBeGreaterThanOrEqual(ms(jobOf(childPipeline, 'second').attempts[0]!.finishedAt));
  });

  it('with strategy: depend a failing child fails the trigger job and the pipeline; without it the trigger job passes', async () => {
    const ci = (depend: boolean): string => `
child:
  variables: { CHILD_EXIT: '3' }
  trigger: { include: [{ local: ci/child.yml }]${depend ? ', strategy: depend' : ''} }
`;
    const dependent = repo(ci(true), { 'ci/child.yml': CHILD });
    const failed = await runCli(['run'], { cwd: dependent.dir });
    expect(failed.code).toBe(1);
    expect(jobOf(readPipeline(dependent.dir, 1), 'child').status).toBe('failed');
    expect(jobOf(readPipeline(dependent.dir, 2), 'second').status).toBe('failed');

    const independent = repo(ci(false), { 'ci/child.yml': CHILD });
    const passed = await runCli(['run'], { cwd: independent.dir });
    expect(passed.code).toBe(0);
    expect(jobOf(readPipeline(independent.dir, 1), 'child').status).toBe('success');
    // The child still ran to its end before drydock exited.
    expect(passed.stdout).toMatch(/\[child » second\s*\] second-ran/);
    expect(readPipeline(independent.dir, 2).status).toBe('failed');
    expect(passed.stdout).toMatch(/^child\s+test\s+passed\s+\S+\s+child pipeline #2 failed$/m);
  });

  it('forwards the trigger job\'s variables; pipeline variables (--var) only with forward:pipeline_variables', async () => {
    const child = `show: { script: ['echo "vars yaml=$FROM_TRIGGER pipeline=$PV project=$PROJ"'] }\n`;
    const ci = (forward: string): string => `
down:
  variables: { FROM_TRIGGER: t }
  trigger: { include: child.yml, strategy: depend${forward} }
`;
    const plain = repo(ci(''), { 'child.yml': child, 'vars.env': 'PROJ=p\n' });
    const a = await runCli(['run', '--var', 'PV=x', '--variables-file', 'vars.env'], { cwd: plain.dir });
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/\[down » show\s*\] vars yaml=t pipeline= project=p$/m);
    const forwarding = repo(ci(', forward: { yaml_variables: false, pipeline_variables: true }'), { 'child.yml': child, 'vars.env': 'PROJ=p\n' });
    const b = await runCli(['run', '--var', 'PV=x', '--variables-file', 'vars.env'], { cwd: forwarding.dir });
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/\[down » show\s*\] vars yaml= pipeline=x project=p$/m);
  });

  it('expands the trigger job\'s variables with its dependencies\' dotenv reports and passes those down too', async () => {
    const r = repo(`
stages: [build, downstream]
variables: { VERSION: dev }
build:
  stage: build
  script: ['printf "VERSION=1.4.0\\nBUILT_BY=build\\n" > build.env']
  artifacts: { reports: { dotenv: build.env } }
down:
  stage: downstream
  variables: { IMAGE: "app:$VERSION", FROM: "$CI_JOB_NAME-$CI_PIPELINE_ID" }
  trigger: { include: child.yml, strategy: depend }
`, { 'child.yml': `show: { script: ['echo "image=$IMAGE version=$VERSION built_by=$BUILT_BY from=$FROM"'] }\n` });
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    // FROM was expanded as the trigger job (down, pipeline 1), not as the child's job (show, pipeline 2).
    expect(res.stdout).toMatch(/\[down » show\s*\] image=app:1\.4\.0 version=1\.4\.0 built_by=build from=down-1$/m);
  });

  it('runs a dynamic child pipeline from an earlier job\'s artifact', async () => {
    const r = repo(`
stages: [generate, run]
generate:
  stage: generate
  script: ['printf "made:\\\\n  script: [echo generated-job-ran]\\\\n" > gen.yml']
  artifacts: { paths: [gen.yml] }
run-it:
  stage: run
  trigger:
    include: [{ artifact: gen.yml, job: generate }]
    strategy: depend
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\[run-it » made\s*\] generated-job-ran/);
  });

  it('fails the trigger job with the child configuration\'s errors', async () => {
    const r = repo(`
child: { trigger: { include: ci/missing.yml, strategy: depend } }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(1);
    expect(readFileSync(jobOf(readPipeline(r.dir, 1), 'child').attempts[0]!.logFile, 'utf8')).toMatch(/downstream pipeline creation failed: child pipeline ci\/missing\.yml is not valid:[\s\S]*missing\.yml/);
  });

  it('skips a multi-project trigger with a notice and runs the rest', async () => {
    const r = repo(`
build: { script: ['echo built'] }
deploy: { stage: deploy, trigger: { project: group/other, strategy: depend } }
`);
    const res = await runCli(['run'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('deploy: trigger:project group/other starts a pipeline in another project, which needs a GitLab server; skipped');
    expect(readPipeline(r.dir, 1).jobs.map((j) => j.name)).toEqual(['build']);
  });
});
