import { describe, it, expect } from 'vitest';
import { buildContainerName, networkName, objectLabels, projectUniqueName, rfc1123, serviceContainerName, volumeName } from './container-names.js';

const ctx = { runnerShort: 'local', projectId: '42', concurrentId: 0, runId: 'run-1', jobName: 'build: [amd64]' };

describe('container names', () => {
  it('follows the runner shape with a run-unique part', () => {
    expect(projectUniqueName(ctx)).toBe('runner-local-project-42-concurrent-0');
    expect(buildContainerName(ctx)).toMatch(/^runner-local-project-42-concurrent-0-[0-9a-f]{16}-build-amd64-build$/);
    expect(serviceContainerName(ctx, 'registry.hub.docker.com/library/docker', 1)).toMatch(/-registry\.hub\.docker\.com__library__docker-1$/);
    expect(networkName(ctx)).toMatch(/-network$/);
    expect(volumeName(ctx, '/certs/client')).toMatch(/-cache-[0-9a-f]{32}$/);
  });
  it('differs between two runs of the same job', () => {
    expect(buildContainerName(ctx)).not.toBe(buildContainerName({ ...ctx, runId: 'run-2' }));
  });
  it('rfc1123 lower-cases, drops odd characters and leading dashes, max 63', () => {
    expect(rfc1123('--Runner_A!b')).toBe('runnerab');
    expect(rfc1123('x'.repeat(80))).toHaveLength(63);
  });
  it('labels carry run id, job, type and owner', () => {
    expect(objectLabels(ctx, 'service', 'host:1')).toMatchObject({
      'com.drydock.managed': 'true', 'com.drydock.run-id': 'run-1', 'com.drydock.job': 'build: [amd64]',
      'com.drydock.type': 'service', 'com.drydock.owner': 'host:1',
    });
  });
});
