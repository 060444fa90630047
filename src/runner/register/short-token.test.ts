import { describe, expect, it } from 'vitest';
import { shortToken } from './short-token.js';

describe('shortToken', () => {
  it.each([
    ['glrt-t1_bkEhznhp1Qbdow6o44TK', 'bkEhznhp1'],
    ['glrt-2CR8_eVxiioB1QmzPZwa', '2CR8_eVxi'],
    ['t3_HkpJCRabcdef', 'HkpJCRabc'],
    ['GR1348941C6YcZVddc8kjtdU', 'C6YcZVddc'],
    ['yboVk-t_Pxyz', 'yboVk-t_P'],
    ['short', 'short'],
  ])('%s → %s', (token, expected) => {
    expect(shortToken(token)).toBe(expected);
  });
});
