import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { parseChunkRange, parseRangeHeader } from './http-ranges.js';
import { matchRoute } from './route-match.js';

const d = `sha256:${'a'.repeat(64)}`;

describe('matchRoute', () => {
  it.each([
    ['/v2/', { route: 'base' }],
    ['/v2', { route: 'base' }],
    ['/v2/_catalog?n=1', { route: 'catalog' }],
    ['/v2/a/b/c/tags/list', { route: 'tags', name: 'a/b/c' }],
    [`/v2/g/app/manifests/${d}`, { route: 'manifest', name: 'g/app', reference: d }],
    ['/v2/g/app/blobs/uploads/', { route: 'uploads', name: 'g/app' }],
    ['/v2/g/app/blobs/uploads', { route: 'uploads', name: 'g/app' }],
    ['/v2/g/app/blobs/uploads/1234', { route: 'upload', name: 'g/app', id: '1234' }],
    [`/v2/g/blobs/blobs/${d}`, { route: 'blob', name: 'g/blobs', digest: d }],
    [`/v2/g/app/referrers/${d}`, { route: 'referrers', name: 'g/app', digest: d }],
    ['/v2/a__b/c-d.e/manifests/v1.0', { route: 'manifest', name: 'a__b/c-d.e', reference: 'v1.0' }],
  ])('%s', (url, expected) => {
    expect(matchRoute(url)?.match).toEqual(expected);
  });

  it.each(['/v2/../x/tags/list', '/v2/a/./b/tags/list', '/v2/A/tags/list', '/v2/a_/tags/list', `/v2/${'a'.repeat(256)}/tags/list`, '/v2/a/%2e%2e/tags/list', '/v2/a/%zz/tags/list'])('refuses %s', (url) => {
    expect(() => matchRoute(url)).toThrow(RegistryError);
  });

  it('ignores other paths', () => {
    expect(matchRoute('/api/v4/jobs')).toBeUndefined();
    expect(matchRoute('/v2/a/unknown')).toBeUndefined();
  });
});

describe('ranges', () => {
  it('reads blob Range headers', () => {
    expect(parseRangeHeader(undefined, 10)).toBeUndefined();
    expect(parseRangeHeader('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRangeHeader('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRangeHeader('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRangeHeader('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(() => parseRangeHeader('bytes=10-', 10)).toThrow(RegistryError);
    expect(() => parseRangeHeader('bytes=5-2', 10)).toThrow(RegistryError);
  });

  it('reads upload Content-Range headers', () => {
    expect(parseChunkRange('0-9', '10', 0)).toEqual({ start: 0, end: 9 });
    expect(parseChunkRange('bytes 10-19/*', undefined, 10)).toEqual({ start: 10, end: 19 });
    for (const bad of ['9-0', 'x', '0-9']) expect(() => parseChunkRange(bad, '5', 0)).toThrow(RegistryError);
  });
});
