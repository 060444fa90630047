import { describe, expect, it } from 'vitest';
import { runnerHooks } from './runner-hooks.js';

describe('runnerHooks', () => {
  it('maps the four scripts and leaves unset ones out', () => {
    expect(runnerHooks({ pre_build_script: 'echo pre', post_get_sources_script: 'ls' })).toEqual({ preBuildScript: 'echo pre', postGetSourcesScript: 'ls' });
    expect(runnerHooks({})).toEqual({});
  });

  it('uses the deprecated clone names only when the new ones are unset', () => {
    expect(runnerHooks({ pre_clone_script: 'old', post_clone_script: 'old-post' })).toEqual({ preGetSourcesScript: 'old', postGetSourcesScript: 'old-post' });
    expect(runnerHooks({ pre_clone_script: 'old', pre_get_sources_script: 'new' })).toEqual({ preGetSourcesScript: 'new' });
  });
});
