import { describe, expect, it } from 'vitest';
import { customClonePath } from './custom-clone-path.js';

describe('customClonePath', () => {
  it('keeps the default when unset or empty', () => {
    expect(customClonePath({ value: undefined, buildsDir: '/builds', enabled: false })).toEqual({ kind: 'default' });
    expect(customClonePath({ value: '', buildsDir: '/builds', enabled: true })).toEqual({ kind: 'default' });
  });

  it('takes a directory inside the builds dir, cleaned', () => {
    expect(customClonePath({ value: '/builds/go/src/example.com/app/', buildsDir: '/builds', enabled: true }))
      .toEqual({ kind: 'custom', dir: '/builds/go/src/example.com/app', relative: 'go/src/example.com/app' });
    expect(customClonePath({ value: '/srv/b//x/./y', buildsDir: '/srv/b/', enabled: true })).toEqual({ kind: 'custom', dir: '/srv/b/x/y', relative: 'x/y' });
  });

  it('refuses it when custom_build_dir is off, or outside the builds dir, as gitlab-runner does', () => {
    expect(customClonePath({ value: '/builds/x', buildsDir: '/builds', enabled: false })).toMatchObject({ kind: 'error', failureReason: 'runner_configuration_error', message: expect.stringContaining('enable `custom_build_dir` feature') });
    for (const value of ['/builds/../etc', '/tmp/x', 'relative/dir', '/builds', '/buildsx/y']) {
      expect(customClonePath({ value, buildsDir: '/builds', enabled: true }), value).toMatchObject({ kind: 'error', failureReason: 'script_failure', message: expect.stringContaining('has to be within "/builds"') });
    }
  });
});
