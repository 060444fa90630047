import { describe, it, expect } from 'vitest';
import { effectivePullPolicies, isRegistryUnreachable } from './image-puller.js';

describe('effectivePullPolicies', () => {
  it.each([
    [[], [], [], ['if-not-present'], ['if-not-present']],
    [[], ['always'], [], ['if-not-present'], ['always']],
    [['if-not-present'], ['always', 'if-not-present'], [], ['always'], ['if-not-present']],
    [['never', 'always'], [], ['always', 'never'], ['always'], ['never', 'always']],
    [['always', 'always'], [], [], ['always'], ['always', 'always']],
  ] as const)('job %j runner %j allowed %j → %j', (job, runner, allowed, fallback, expected) => {
    expect(effectivePullPolicies([...job], [...runner], [...allowed], [...fallback])).toEqual(expected);
  });
  it('names the source when nothing is allowed', () => {
    expect(() => effectivePullPolicies(['always'], ['if-not-present'], [], ['always']))
      .toThrow('pull_policy ([always]) defined in GitLab pipeline config is not one of the allowed_pull_policies ([if-not-present])');
  });
  it('rejects unknown policies', () => {
    expect(() => effectivePullPolicies(['sometimes'], [], [], ['always'])).toThrow('unsupported pull_policy config: "sometimes"');
  });
});

describe('isRegistryUnreachable', () => {
  it('is true only when the registry cannot be reached at all', () => {
    expect(isRegistryUnreachable('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host')).toBe(true);
    expect(isRegistryUnreachable('Get "https://r.example/v2/": dial tcp 10.0.0.1:443: connect: connection refused')).toBe(true);
    expect(isRegistryUnreachable('unauthorized (pull access denied for x, repository does not exist or may require docker login)')).toBe(false);
    expect(isRegistryUnreachable('image not found (manifest unknown)')).toBe(false);
  });
});
