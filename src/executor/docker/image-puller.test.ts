import { describe, it, expect } from 'vitest';
import { effectivePullPolicies } from './image-puller.js';

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
