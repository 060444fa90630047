// drydock run --executor docker: what services inherit from the job (GitLab's public and internal
// variables only), no root-owned files left in the user's builds directory, and a clean Ctrl-C of a
// privileged Docker-in-Docker job (no container, network or volume left).
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { ciRepoFactory } from './helpers/temp-repo.js';
import { jobOf, readPipeline, runCli } from './helpers/run-cli.js';

const skip = skipWithoutDocker();
const repo = ciRepoFactory();

/** Every path under `dir` whose owner is not `uid`. */
function notOwnedBy(dir: string, uid: number): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.uid !== uid) out.push(`${path.relative(dir, p) || '.'} (uid ${st.uid})`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}

describe.skipIf(skip)('drydock run --executor docker: services, file ownership, cancel', () => {
  afterEach(() => {
    expect(leftovers()).toEqual([]);
  });

  it('services get the job\'s predefined and YAML variables, never project or pipeline variables or the job token', async () => {
    const r = repo(`
job:
  image: busybox:latest
  variables: { YAML_VAR: from-yaml }
  services:
    - name: busybox:latest
      alias: probe
      command: ["sh", "-c", "env > /builds/svc-env.txt; exec httpd -f -p 8080"]
      variables: { HEALTHCHECK_TCP_PORT: "8080" }
  script:
    - grep -E '^(YAML_VAR|PROJECT_VAR|PIPELINE_VAR|CI_JOB_TOKEN|CI_JOB_NAME|CI_PROJECT_DIR)=' /builds/svc-env.txt | sort | sed 's/^/SVC /'
`, { 'vars.env': 'PROJECT_VAR=project-secret\n' });
    const builds = path.join(path.dirname(r.dir), 'builds');
    const res = await runCli(['run', '--executor', 'docker', '--builds-dir', builds, '--variables-file', 'vars.env', '--var', 'PIPELINE_VAR=pipeline-value', '--wait-for-services-timeout', '120'], { cwd: r.dir, timeoutMs: 180_000 });
    expect(res.code).toBe(0);
    const seen = [...res.stdout.matchAll(/\] SVC (\w+)=(.*)$/gm)].map((m) => `${m[1]}=${m[2]}`);
    expect(seen).toEqual(['CI_JOB_NAME=job', 'CI_PROJECT_DIR=/builds/local/project', 'YAML_VAR=from-yaml']);
  });

  it('CI_DEBUG_SERVICES streams the services\' output into the job log, with masked values masked', async () => {
    const r = repo(`
job:
  image: busybox:latest
  variables: { CI_DEBUG_SERVICES: "true" }
  services:
    - name: busybox:latest
      alias: chatty
      command: ["sh", "-c", "echo service-says-hello; echo leaked s3cr3t-value-12345; exec httpd -f -p 8080"]
      variables: { HEALTHCHECK_TCP_PORT: "8080" }
  script:
    - sleep 1
    - echo script-ran
`, { 'vars.yml': 'SECRET:\n  value: s3cr3t-value-12345\n  masked: true\n' });
    const builds = path.join(path.dirname(r.dir), 'builds');
    const res = await runCli(['run', '--executor', 'docker', '--builds-dir', builds, '--variables-file', 'vars.yml'], { cwd: r.dir, timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const log = readFileSync(path.join(r.dir, '.drydock', 'pipelines', '1', 'job.log'), 'utf8');
    expect(log).toMatch(/^\[service:[^\]]*chatty[^\]]*\] service-says-hello$/m);
    expect(log).toMatch(/^\[service:[^\]]*chatty[^\]]*\] leaked \[MASKED\]$/m);
    expect(log).not.toContain('s3cr3t-value-12345');
    expect(log).toContain('script-ran');
  });

  it('leaves no root-owned files in the builds directory: they go to the directory\'s owner (start, exec and gated start modes)', async () => {
    const r = repo(`
stages: [one, two, three]
start-mode:
  stage: one
  image: busybox:latest
  script: ['mkdir -p out/deep && echo x > out/deep/file && touch root.txt']
exec-mode:
  stage: two
  image: busybox:latest
  variables: { GIT_STRATEGY: none }
  script: ['mkdir -p more && touch more/file']
  after_script: ['touch after.txt']
gated-mode:
  stage: three
  image: busybox:latest
  variables: { GIT_STRATEGY: none }
  services: [{ name: busybox:latest, command: [sleep, "60"] }]
  script: ['mkdir -p gated && touch gated/file']
`);
    const builds = path.join(path.dirname(r.dir), 'builds');
    // As for a user who is not root: their own builds directory (uid 1000 stands for them here).
    // (the checkout goes to <builds>/<slot>/<project path>, here local/project)
    mkdirSync(path.join(builds, '0', 'local'), { recursive: true });
    chownSync(path.join(builds, '0', 'local'), 1000, 1000);
    const res = await runCli(['run', '--executor', 'docker', '--builds-dir', builds, '-j', '1'], { cwd: r.dir, timeoutMs: 180_000 });
    expect(res.code).toBe(0);
    const slot = path.join(builds, '0', 'local');
    expect(readdirSync(path.join(slot, 'project')).sort()).toEqual(expect.arrayContaining(['.git', 'after.txt', 'gated', 'more', 'out', 'root.txt']));
    expect(notOwnedBy(slot, 1000)).toEqual([]);
  });

  it('Ctrl-C of a privileged dind job stops it cleanly and leaves no container, network or volume', async () => {
    const r = repo(`
job:
  image: docker:20.10.16
  services: [docker:20.10.16-dind]
  variables: { DOCKER_HOST: tcp://docker:2375, DOCKER_TLS_CERTDIR: "" }
  script: ['docker info >/dev/null && echo dind-is-up', 'sleep 600']
  after_script: ['echo "after: $CI_JOB_STATUS"']
`);
    const builds = path.join(path.dirname(r.dir), 'builds');
    let sent = false;
    const res = await runCli(['run', '--executor', 'docker', '--docker-privileged', '--builds-dir', builds, '--wait-for-services-timeout', '180'], {
      cwd: r.dir,
      timeoutMs: 100_000,
      onStdout: (chunk, child) => {
        if (!sent && /^\[job\s*\] dind-is-up$/m.test(chunk)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    expect(res.stdout).toMatch(/\[job\s*\] after: canceled/);
    expect(jobOf(readPipeline(r.dir), 'job').status).toBe('canceled');
  }, 300_000);

  it('Ctrl-C of a job with services and no after_script (its script runs as the container\'s own process) cancels it cleanly', async () => {
    const r = repo(`
job:
  image: busybox:latest
  services: [{ name: busybox:latest, command: [sleep, "600"] }]
  script: ['echo script-is-running', 'sleep 600']
`);
    const builds = path.join(path.dirname(r.dir), 'builds');
    let sent = false;
    const res = await runCli(['run', '--executor', 'docker', '--builds-dir', builds], {
      cwd: r.dir,
      timeoutMs: 100_000,
      onStdout: (chunk, child) => {
        if (!sent && /^\[job\s*\] script-is-running$/m.test(chunk)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    expect(jobOf(readPipeline(r.dir), 'job').status).toBe('canceled');
  }, 300_000);
});
