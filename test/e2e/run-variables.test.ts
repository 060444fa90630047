// drydock run: predefined variables, precedence of variable sources, masking, and the job's own
// checkout (clean copy of HEAD, or with --include-uncommitted the work tree's changes).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const repos: TempRepo[] = [];
afterAll(() => { for (const r of repos) r.remove(); });

describe('drydock run: variables', () => {
  it('sets GitLab\'s predefined variables from git and the run', async () => {
    const r = createTempRepo({
      '.gitlab-ci.yml': `
show vars:
  stage: test
  script:
    - echo "CI=$CI GITLAB_CI=$GITLAB_CI"
    - echo "SHA=$CI_COMMIT_SHA SHORT=$CI_COMMIT_SHORT_SHA"
    - echo "REF=$CI_COMMIT_REF_NAME BRANCH=$CI_COMMIT_BRANCH SLUG=$CI_COMMIT_REF_SLUG"
    - echo "JOB=$CI_JOB_NAME SLUGJ=$CI_JOB_NAME_SLUG STAGE=$CI_JOB_STAGE"
    - echo "PIPELINE=$CI_PIPELINE_ID SOURCE=$CI_PIPELINE_SOURCE"
    - echo "PATH_=$CI_PROJECT_PATH NAME=$CI_PROJECT_NAME"
    - echo "DIR=$CI_PROJECT_DIR BUILDS=$CI_BUILDS_DIR"
    - echo "REGISTRY=$CI_REGISTRY IMAGE=$CI_REGISTRY_IMAGE"
    - test "$(pwd)" = "$CI_PROJECT_DIR"
    - test "$(git rev-parse HEAD)" = "$CI_COMMIT_SHA"
`,
    }, { origin: 'https://gitlab.example.com/my-group/My-App.git' });
    repos.push(r);
    const sha = r.git('rev-parse', 'HEAD');
    const res = await runCli(['run', '--registry', 'registry.example.com:5000'], { cwd: r.dir });
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out).toContain('CI=true GITLAB_CI=true');
    expect(out).toContain(`SHA=${sha} SHORT=${sha.slice(0, 8)}`);
    expect(out).toContain('REF=main BRANCH=main SLUG=main');
    expect(out).toContain('JOB=show vars SLUGJ=show-vars STAGE=test');
    expect(out).toContain('PIPELINE=1 SOURCE=push');
    expect(out).toContain('PATH_=my-group/My-App NAME=My-App');
    expect(out).toContain('REGISTRY=registry.example.com:5000 IMAGE=registry.example.com:5000/my-group/my-app');
    const dir = /DIR=(\/\S+) BUILDS=(\/\S+)/.exec(out);
    expect(dir?.[1]?.startsWith(`${dir?.[2]}/`)).toBe(true);
    expect(dir?.[1]?.startsWith(r.dir)).toBe(false);
  });

  it('applies precedence: --var > --variables-file > dotenv > job YAML > global YAML', async () => {
    const r = createTempRepo({
      '.gitlab-ci.yml': `
variables: { A: global, B: global, C: global, D: global }
job:
  variables: { B: job, C: job, D: job }
  script: ['echo "A=$A B=$B C=$C D=$D"']
`,
    });
    repos.push(r);
    writeFileSync(path.join(r.dir, '..', 'vars.yml'), 'C: file\nD: file\n');
    const res = await runCli(['run', '--variables-file', '../vars.yml', '--var', 'D=cli'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('A=global B=job C=file D=cli');
  });

  it('expands YAML variables with the dotenv reports of earlier jobs, as GitLab does at pickup', async () => {
    const r = createTempRepo({
      '.gitlab-ci.yml': `
variables: { TAG: latest }
build:
  stage: build
  script: ['echo "TAG=1.2.3" > build.env']
  artifacts: { reports: { dotenv: build.env } }
deploy:
  stage: deploy
  variables: { IMAGE: "$CI_REGISTRY_IMAGE:$TAG" }
  script: ['echo "IMAGE=$IMAGE TAG=$TAG"']
stages: [build, deploy]
`,
    }, { origin: 'https://gitlab.example.com/grp/app.git' });
    repos.push(r);
    const res = await runCli(['run', '--registry', 'registry.example.com'], { cwd: r.dir });
    expect(res.code).toBe(0);
    // Not registry.example.com/grp/app:latest: the YAML default was replaced before IMAGE was expanded.
    expect(res.stdout).toContain('IMAGE=registry.example.com/grp/app:1.2.3 TAG=1.2.3');
  });

  it('never shows a masked variable in the output or the logs', async () => {
    const r = createTempRepo({
      '.gitlab-ci.yml': `
leak:
  script:
    - echo "token=$API_TOKEN"
    - echo "again $API_TOKEN and $API_TOKEN"
  after_script: ['echo "after $API_TOKEN"']
`,
    });
    repos.push(r);
    writeFileSync(path.join(r.dir, '..', 'secrets.yml'), 'API_TOKEN:\n  value: s3cr3t-T0ken-value\n  masked: true\n');
    const res = await runCli(['run', '--variables-file', '../secrets.yml'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('token=[MASKED]');
    expect(res.stdout + res.stderr).not.toContain('s3cr3t-T0ken-value');
    const dir = path.join(r.dir, '.drydock/pipelines/1');
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.log') || f.endsWith('.json')) expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain('s3cr3t-T0ken-value');
    }
  });
});

describe('drydock run: sources', () => {
  it('runs on a clean copy of HEAD, never in the user\'s checkout, and with --include-uncommitted sees local changes', async () => {
    const r = createTempRepo({
      '.gitlab-ci.yml': `
check:
  script:
    - cat tracked.txt
    - 'if [ -e new.txt ]; then echo "new: $(cat new.txt)"; else echo "no new file"; fi'
    - if [ -e gone.txt ]; then echo "gone still here"; else echo "gone is gone"; fi
    - touch made-by-job.txt
`,
      'tracked.txt': 'committed\n',
      'gone.txt': 'x\n',
    });
    repos.push(r);
    r.write('tracked.txt', 'edited\n');
    r.write('new.txt', 'untracked\n');
    r.git('rm', '-q', 'gone.txt');
    const clean = await runCli(['run'], { cwd: r.dir });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/\] committed/);
    expect(clean.stdout).toMatch(/\] no new file/);
    expect(clean.stdout).toMatch(/\] gone still here/);
    const dirty = await runCli(['run', '--include-uncommitted'], { cwd: r.dir });
    expect(dirty.code).toBe(0);
    expect(dirty.stdout).toMatch(/\] edited/);
    expect(dirty.stdout).toMatch(/\] new: untracked/);
    expect(dirty.stdout).toMatch(/\] gone is gone/);
    expect(readdirSync(r.dir)).not.toContain('made-by-job.txt');
    expect(jobOf(readPipeline(r.dir), 'check').status).toBe('success');
  });
});
