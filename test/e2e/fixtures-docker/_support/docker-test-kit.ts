// Shared by the Docker e2e tests: is there an engine (CI=true must fail, not skip, without one),
// hand-built jobs for executor-level tests, and the "nothing left behind" check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorJob, ResolvedVariable } from '../../../../src/executor/executor.js';
import { ownerAlive } from '../../../../src/executor/docker/cleanup.js';
import type { JobSpec, ServiceSpec } from '../../../../src/pipeline/spec/job-spec.js';

export function dockerWorks(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Whether to skip Docker tests: never on CI (a missing engine is then a failure). */
export function skipWithoutDocker(): boolean {
  const works = dockerWorks();
  if (!works && process.env.CI === 'true') throw new Error('CI=true and the Docker engine is not available: Docker tests must not be skipped');
  return !works;
}

export function jobSpec(over: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'build', stage: 'build', stageIndex: 1, when: 'on_success', allowFailure: false, services: [], variables: [],
    hooks: { preGetSourcesScript: [] }, beforeScript: [], script: [], afterScript: [], needs: null, dependencies: [],
    cache: [], retry: { max: 0, when: ['always'], exitCodes: [] }, tags: [], interruptible: false, ...over,
  };
}

export function service(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { name, aliases: [], pullPolicy: [], variables: [], ...over };
}

export function variables(map: Record<string, string>): ResolvedVariable[] {
  return Object.entries(map).map(([key, value]) => ({ key, value, masked: false, file: false, raw: false }));
}

let counter = 0;
export function makeJob(spec: JobSpec, vars: Record<string, string> = {}): ExecutorJob & { dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'drydock-docker-test-'));
  const hostProjectDir = join(root, 'project');
  const hostTmpDir = join(root, 'project.tmp');
  execFileSync('mkdir', ['-p', hostProjectDir, hostTmpDir]);
  counter += 1;
  return {
    runId: `test-${process.pid}-${Date.now()}-${counter}`,
    spec, projectPath: 'group/project', hostProjectDir, hostTmpDir,
    variables: variables({ CI_PROJECT_PATH: 'group/project', CI_PROJECT_DIR: '/builds/group/project', ...vars }),
    shell: 'bash',
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Drydock containers, networks and volumes left behind by runs that have ended: this process's
 * executor-level runs, and CLI runs whose drydock process is gone. Objects of runs still going
 * (other test files or helpers sharing the engine) are not counted.
 */
export function leftovers(): string[] {
  const format = '{{.Label "com.drydock.run-id"}}\t{{.Label "com.drydock.owner"}}\t';
  const out = (kind: string, args: string[]) => execFileSync('docker', [...args, '--filter', 'label=com.drydock.run-id', '--format', `${format}{{.Name${kind === 'container' ? 's' : ''}}}`], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map((line) => line.split('\t'))
    .filter(([runId, owner]) => runId?.startsWith(`test-${process.pid}-`) || !ownerAlive(owner))
    .map((parts) => `${kind} ${parts[2]}`);
  return [...out('container', ['ps', '-a']), ...out('network', ['network', 'ls']), ...out('volume', ['volume', 'ls'])];
}

/** A sink that collects text. */
export function collector(): { write(chunk: string | Buffer): void; text(): string } {
  const parts: string[] = [];
  return { write: (c) => { parts.push(typeof c === 'string' ? c : c.toString('utf8')); }, text: () => parts.join('') };
}
