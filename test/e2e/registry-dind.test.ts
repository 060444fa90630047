// B2 with `drydock run --executor docker`: `drydock registry serve --mirror-upstream` as the dind
// daemon's --registry-mirror, set by `[runners.docker] registry_mirror` in config.toml: `docker pull
// busybox` inside dind goes through it. (The document's caching pipeline against the server's
// registry is run by a real runner in registry-runner.test.ts.)
// Addresses: the host's own IP (not 127.0.0.1, which is the container itself, and not the docker0
// gateway 172.17.0.1: inside dind, dockerd's own docker0 takes 172.17.0.0/16 and shadows it).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, skipWithoutDocker } from './fixtures-docker/_support/docker-test-kit.js';
import { projectFromFixture, repoRoot, runDocker, type Project } from './fixtures-docker/_support/cli-project.js';
import { hostIp } from './registry-runner-kit.js';

const skip = skipWithoutDocker();
const GATEWAY = skip ? '127.0.0.1' : hostIp();

function commit(p: Project, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(p.dir, name), text);
  execFileSync('sh', ['-c', 'git add -A && git -c user.email=ci@example.com -c user.name=CI commit -qm change'], { cwd: p.dir });
}

/** `drydock registry serve ...` in the background; resolves with its port once it listens. */
function serveRegistry(args: string[], output: { text: string }): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/drydock.js'), 'registry', 'serve', '--port', '0', '--host', '0.0.0.0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer) => {
      output.text += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output.text);
      if (m?.[1]) resolve({ child, port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`registry serve exited with ${code}: ${output.text}`)));
  });
}

describe.skipIf(skip)('registry from docker:dind jobs', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  });

  describe('B2: pull-through mirror for dind via [runners.docker] registry_mirror', () => {
    it('pulls busybox inside dind through the mirror, which caches it from its upstream', async () => {
      const upOut = { text: '' };
      const upstream = await serveRegistry(['--data', await mkdtemp(path.join(os.tmpdir(), 'drydock-up-'))], upOut);
      cleanups.push(() => upstream.child.kill('SIGTERM'));
      const ref = `127.0.0.1:${upstream.port}/library/busybox:latest`;
      execFileSync('docker', ['tag', 'busybox:latest', ref]);
      cleanups.push(() => execFileSync('docker', ['rmi', ref], { stdio: 'ignore' }));
      execFileSync('docker', ['push', ref], { stdio: 'ignore' });
      const mirrorOut = { text: '' };
      const mirror = await serveRegistry(['--data', await mkdtemp(path.join(os.tmpdir(), 'drydock-mirror-')), '--mirror-upstream', `http://127.0.0.1:${upstream.port}`], mirrorOut);
      cleanups.push(() => mirror.child.kill('SIGTERM'));

      const p = projectFromFixture('dind-tls');
      cleanups.push(() => p.dispose());
      commit(p, {
        '.gitlab-ci.yml': 'image: docker:20.10.16\nservices:\n  - docker:20.10.16-dind\nvariables:\n  DOCKER_TLS_CERTDIR: "/certs"\njob:\n  script:\n    - docker info --format "mirrors={{.RegistryConfig.Mirrors}}"\n    - docker pull busybox:latest\n',
        'config.toml': `[[runners]]\n  name = "mirror"\n  url = "https://gitlab.example.com/"\n  token = "TOKEN"\n  executor = "docker"\n  [runners.docker]\n    image = "docker:20.10.16"\n    privileged = true\n    volumes = ["/certs/client"]\n    registry_mirror = "http://${GATEWAY}:${mirror.port}"\n`,
      });
      const r = await runDocker(p, ['--config', path.join(p.dir, 'config.toml')]);
      expect(r.code, `${r.output}\nmirror: ${mirrorOut.text}`).toBe(0);
      expect(r.log).toContain(`mirrors=[http://${GATEWAY}:${mirror.port}/]`);
      expect(mirrorOut.text).toContain('mirror: cached manifest library/busybox:latest');
      expect(mirrorOut.text).toMatch(/mirror: cached blob library\/busybox@sha256:/);
      expect(leftovers()).toEqual([]);
    }, 600_000);
  });
});
