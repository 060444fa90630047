import { describe, expect, it } from 'vitest';
import { completeUtf8Length } from './log/job-log.js';
import { parseRoute } from './router.js';

describe('parseRoute', () => {
  it('maps GitLab page URLs, nested groups included', () => {
    expect(parseRoute('/')).toEqual({ name: 'projects' });
    expect(parseRoute('/users/sign_in')).toEqual({ name: 'signIn' });
    expect(parseRoute('/admin/runners')).toEqual({ name: 'runners' });
    expect(parseRoute('/team/app')).toEqual({ name: 'project', path: 'team/app' });
    expect(parseRoute('/team/app/-/pipelines/')).toEqual({ name: 'pipelines', path: 'team/app' });
    expect(parseRoute('/a/b/app/-/pipelines/12')).toEqual({ name: 'pipeline', path: 'a/b/app', id: 12 });
    expect(parseRoute('/team/app/-/jobs/7')).toEqual({ name: 'job', path: 'team/app', id: 7 });
    expect(parseRoute('/team/app/-/settings/ci_cd')).toEqual({ name: 'variables', path: 'team/app' });
    expect(parseRoute('/team/app/-/container_registry')).toEqual({ name: 'registry', path: 'team/app' });
    expect(parseRoute('/team/app/-/jobs/x')).toEqual({ name: 'notFound' });
  });
});

describe('completeUtf8Length', () => {
  it('stops before a split character', () => {
    const bytes = new TextEncoder().encode('ok ✓ 😀');
    expect(completeUtf8Length(bytes)).toBe(bytes.length);
    expect(completeUtf8Length(bytes.subarray(0, bytes.length - 1))).toBe(bytes.length - 4);
    expect(completeUtf8Length(bytes.subarray(0, 5))).toBe(3); // inside ✓ (3 bytes from index 3)
    expect(completeUtf8Length(new Uint8Array(0))).toBe(0);
  });
});
