import { describe, it, expect } from 'vitest';
import { ownerAlive, ownerId } from './cleanup.js';

describe('ownerAlive', () => {
  it('this process is alive', () => {
    expect(ownerAlive(ownerId())).toBe(true);
  });
  it('a pid that cannot exist is dead', () => {
    expect(ownerAlive('h:2147483646', 'h')).toBe(false);
  });
  it('another machine\'s owner is assumed alive; a missing label is not', () => {
    expect(ownerAlive('elsewhere:1', 'here')).toBe(true);
    expect(ownerAlive(undefined)).toBe(false);
  });
});
