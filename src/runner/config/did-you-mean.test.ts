import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('didYouMean', () => {
  it.each([
    ['exector', ['executor', 'shell', 'limit'], 'executor'],
    ['privilege', ['privileged', 'services_privileged'], 'privileged'],
    ['bucket_name', ['BucketName', 'BucketLocation'], 'BucketName'],
    ['tls_ca_file', ['tls-ca-file', 'tls-cert-file'], 'tls-ca-file'],
    ['if-not-exists', ['always', 'if-not-present', 'never'], 'if-not-present'],
    ['allways', ['always', 'never'], 'always'],
    ['foo', ['executor', 'limit'], undefined],
    ['x', [], undefined],
  ])('%s → %s', (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('exectuor', 'executor')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
