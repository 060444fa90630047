import { describe, it, expect } from 'vitest';
import { bindEntry, bindsDockerSocket, parseVolumeSpec, parseVolumeSpecs } from './volumes.js';

const P = '/builds/group/project';

describe('parseVolumeSpec', () => {
  it.each([
    ['/certs/client', { kind: 'dynamic', target: '/certs/client' }],
    ['/cache', { kind: 'dynamic', target: '/cache' }],
    ['data', { kind: 'dynamic', target: `${P}/data` }],
    ['/var/run/docker.sock:/var/run/docker.sock', { kind: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock' }],
    ['/opt/docker/daemon.json:/etc/docker/daemon.json:ro', { kind: 'bind', source: '/opt/docker/daemon.json', target: '/etc/docker/daemon.json', mode: 'ro' }],
    ['myvol:/data:rw', { kind: 'named', name: 'myvol', target: '/data', mode: 'rw' }],
    [' /cache ', { kind: 'dynamic', target: '/cache' }],
  ])('%s', (text, expected) => {
    expect(parseVolumeSpec(text, P)).toMatchObject(expected);
  });

  it.each([
    ['/certs/client:', 'empty part'],
    [':/x', 'empty part'],
    ['/a:/b:rx', 'unknown mode "rx"'],
    ['/a:/b:ro:z', 'too many'],
    ['/a:b', 'must be absolute'],
    ['./dir:/x', 'host path "./dir" must be absolute'],
    ['~/dir:/x', 'must be absolute'],
    ['/', '"/" cannot be a volume'],
    ['/a /b', 'white space'],
    ['', 'empty'],
    ['bad$name:/x', 'neither an absolute host path nor a valid volume name'],
  ])('%j is rejected naming the cause', (text, why) => {
    expect(() => parseVolumeSpec(text, P)).toThrow(why);
  });

  it('rejects the same container path twice', () => {
    expect(() => parseVolumeSpecs(['/cache', 'x:/cache'], P)).toThrow('volume for container path "/cache" is already defined');
  });

  it('renders binds and detects socket binding', () => {
    const specs = parseVolumeSpecs(['/var/run/docker.sock:/var/run/docker.sock', 'v:/d:ro', '/cache'], P);
    expect(bindsDockerSocket(specs)).toBe(true);
    const [sock, vol] = specs;
    if (sock?.kind !== 'bind' || vol?.kind !== 'named') throw new Error('kinds');
    expect(bindEntry(sock)).toBe('/var/run/docker.sock:/var/run/docker.sock');
    expect(bindEntry(vol)).toBe('v:/d:ro');
  });
});
