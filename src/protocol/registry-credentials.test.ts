import { describe, expect, it } from 'vitest';
import { dockerConfigFromCredentials } from './registry-credentials.js';

describe('dockerConfigFromCredentials', () => {
  it('turns registry credentials into docker config auths keyed by host', () => {
    const config = dockerConfigFromCredentials([
      { type: 'registry', url: '10.0.0.5:8080', username: 'gitlab-ci-token', password: 'tok' },
      { type: 'registry', url: 'https://reg.example.com/', username: 'u', password: 'p' },
      { type: 'registry', url: '10.0.0.5:8080', username: 'second', password: 'ignored' },
    ]);
    expect(config).toEqual({
      auths: {
        '10.0.0.5:8080': { username: 'gitlab-ci-token', password: 'tok', auth: Buffer.from('gitlab-ci-token:tok').toString('base64') },
        'reg.example.com': { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') },
      },
    });
  });

  it('ignores other types and is undefined without registry credentials', () => {
    expect(dockerConfigFromCredentials([{ type: 'other', url: 'x', username: 'a', password: 'b' }])).toBeUndefined();
    expect(dockerConfigFromCredentials(null)).toBeUndefined();
  });

});
