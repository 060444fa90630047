import { describe, expect, it } from 'vitest';
import { defaultConfigPath } from './default-config-path.js';

describe('defaultConfigPath', () => {
  it('uses /etc/drydock for root, like /etc/gitlab-runner', () => {
    expect(defaultConfigPath({ uid: 0, home: '/root', cwd: '/srv' })).toBe('/etc/drydock/config.toml');
  });

  it('uses ~/.drydock for other users, like ~/.gitlab-runner', () => {
    expect(defaultConfigPath({ uid: 1000, home: '/home/ci', cwd: '/srv' })).toBe('/home/ci/.drydock/config.toml');
  });

  it('falls back to ./config.toml without a home directory (or a uid, as on Windows)', () => {
    expect(defaultConfigPath({ uid: 1000, home: '', cwd: '/srv' })).toBe('/srv/config.toml');
    expect(defaultConfigPath({ home: '', cwd: '/srv' })).toBe('/srv/config.toml');
  });

  it('reads the current process by default', () => {
    const expected = process.getuid?.() === 0 ? '/etc/drydock/config.toml' : expect.stringMatching(/config\.toml$/);
    expect(defaultConfigPath()).toEqual(expected);
  });
});
