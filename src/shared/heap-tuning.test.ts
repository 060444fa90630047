import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_HEAP_GROWING_PERCENT, serverHeapFlags } from './heap-tuning.js';

describe('serverHeapFlags', () => {
  it('sets the growing factor by default', () => {
    expect(serverHeapFlags([], '')).toEqual([`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`]);
  });

  it('leaves a factor the user chose on the command line or in NODE_OPTIONS alone', () => {
    expect(serverHeapFlags(['--heap-growing-percent=50'], '')).toEqual([]);
    expect(serverHeapFlags([], '--max-old-space-size=512 --heap_growing_percent=80')).toEqual([]);
    expect(serverHeapFlags(['--heap-prof'], '--heap-growing-percent-x')).toEqual([`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`]);
  });

  it('is a flag this Node version knows (an unknown one would be ignored silently)', () => {
    const listed = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(listed).toMatch(/--heap-growing-percent\b/);
  });
});
