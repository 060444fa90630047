import { describe, expect, it } from 'vitest';
import { dindServiceCommand } from './dind-registry-flags.js';

const vars = (map: Record<string, string>) => Object.entries(map).map(([key, value]) => ({ key, value, masked: false, file: false, raw: false }));
const http = vars({ CI_SERVER_URL: 'http://172.17.0.1:8080', CI_REGISTRY: '172.17.0.1:8080' });

describe('dindServiceCommand', () => {
  it('marks the plain-HTTP CI_REGISTRY insecure for dind services only', () => {
    expect(dindServiceCommand('docker:20.10.16-dind', undefined, http, {})).toEqual(['--insecure-registry', '172.17.0.1:8080']);
    expect(dindServiceCommand('registry.hub.docker.com/library/docker:20.10.16-dind', ['--mtu=1400'], http, {})).toEqual(['--mtu=1400', '--insecure-registry', '172.17.0.1:8080']);
    expect(dindServiceCommand('postgres:15', undefined, http, {})).toBeUndefined();
    expect(dindServiceCommand('docker:dind', undefined, vars({ CI_SERVER_URL: 'https://gitlab.example.com', CI_REGISTRY: 'gitlab.example.com' }), {})).toBeUndefined();
    expect(dindServiceCommand('docker:dind', undefined, vars({ CI_SERVER_URL: 'http://x:1' }), {})).toBeUndefined();
  });
  it('honours the off switch, does not repeat flags and leaves foreign commands alone', () => {
    expect(dindServiceCommand('docker:dind', undefined, http, { dindInsecureRegistry: false })).toBeUndefined();
    expect(dindServiceCommand('docker:dind', ['--insecure-registry=172.17.0.1:8080'], http, {})).toEqual(['--insecure-registry=172.17.0.1:8080']);
    expect(dindServiceCommand('docker:dind', ['sh', '-c', 'dockerd'], http, {})).toEqual(['sh', '-c', 'dockerd']);
    expect(dindServiceCommand('docker:dind', ['dockerd'], http, {})).toEqual(['dockerd', '--insecure-registry', '172.17.0.1:8080']);
  });
  it('adds the runner\'s registry mirror', () => {
    expect(dindServiceCommand('docker:dind', undefined, [], { registryMirror: 'http://10.0.0.5:5001' })).toEqual(['--registry-mirror', 'http://10.0.0.5:5001']);
    expect(dindServiceCommand('docker:dind', ['--registry-mirror', 'http://m'], [], { registryMirror: 'http://m' })).toEqual(['--registry-mirror', 'http://m']);
  });
});
