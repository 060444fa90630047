// Jobs that run at the same time never collide (two dind jobs of one pipeline, two pipelines of
// the same project), a crashed run's objects are removed by `drydock cleanup` and by the next run,
// and the opt-in dind layer cache (B1) turns the second build of unchanged layers into cache hits.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { drydock, projectFromFixture, runDocker, type Project } from './fixtures-docker/_support/cli-project.js';

const skip = skipWithoutDocker();
const dind = ['--docker-privileged', '--docker-volumes', '/certs/client'];

describe.skipIf(skip)('concurrency and cleanup', () => {
  const projects: Project[] = [];
  const project = (recipe: string) => {
    const p = projectFromFixture(recipe);
    projects.push(p);
    return p;
  };
  afterEach(() => {
    for (const p of projects.splice(0)) p.dispose();
    expect(leftovers()).toEqual([]);
  });

  it('two dind jobs in parallel each get their own engine', async () => {
    const p = project('parallel-dind');
    const r = await runDocker(p, [...dind, '--concurrency', '2']);
    expect(r.log.match(/tests passed: Linux/g)).toHaveLength(2);
    expect(r.code).toBe(0);
  });

  it('two pipelines of the same project running the same job at once do not collide', async () => {
    const a = project('dind-tls');
    const b = project('dind-tls');
    const [ra, rb] = await Promise.all([runDocker(a, dind), runDocker(b, dind)]);
    expect(ra.log).toContain('tests passed: Linux');
    expect(rb.log).toContain('tests passed: Linux');
    expect([ra.code, rb.code]).toEqual([0, 0]);
  });

  it('a killed run leaves objects that drydock cleanup removes', async () => {
    const p = project('dind-no-tls');
    let pid = 0;
    const run = runDocker(p, ['--docker-privileged'], { onStart: (n) => { pid = n; } });
    // Wait until the job's containers exist, then kill drydock without letting it clean up.
    for (let i = 0; i < 600; i++) {
      const names = execFileSync('docker', ['ps', '-a', '--filter', `label=com.drydock.owner=${hostname()}:${pid}`, '--format', '{{.Names}}'], { encoding: 'utf8' });
      if (names.includes('-build')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(pid, 'SIGKILL');
    await run;
    expect(leftovers().length).toBeGreaterThan(0);
    const c = await drydock(['cleanup'], p.dir);
    expect(c.output).toMatch(/removed container .*-build/);
    expect(c.output).toMatch(/removed network .*-network/);
    expect(c.code).toBe(0);
  });

  it('B1: with --docker-layer-cache the second build of unchanged layers is a cache hit', async () => {
    const p = project('layer-cache');
    try {
      const first = await runDocker(p, [...dind, '--docker-layer-cache']);
      expect(first.code).toBe(0);
      expect(first.log).toContain('Using Docker layer cache volume drydock-layer-cache-');
      const second = await runDocker(p, [...dind, '--docker-layer-cache']);
      expect(second.code).toBe(0);
      const secondLog = second.log.slice(first.log.length);
      expect(secondLog.match(/Using cache/g)?.length).toBeGreaterThanOrEqual(2);
      const without = await runDocker(p, dind);
      expect(without.log.slice(second.log.length)).not.toContain('Using cache');
    } finally {
      const c = await drydock(['cleanup', '--layer-cache'], projects[0]?.dir ?? '.');
      expect(c.code).toBe(0);
      expect(execFileSync('docker', ['volume', 'ls', '-q', '--filter', 'label=com.drydock.type=layer-cache'], { encoding: 'utf8' })).not.toMatch(/drydock-layer-cache-/);
    }
  });
});
