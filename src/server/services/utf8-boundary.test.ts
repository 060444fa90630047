import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completeUtf8Length } from './utf8-boundary.js';

describe('completeUtf8Length', () => {
  it('holds back an incomplete trailing sequence', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    expect(completeUtf8Length(euro)).toBe(4);
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1);
    expect(completeUtf8Length(euro.subarray(0, 2))).toBe(1);
    const emoji = Buffer.from('😀', 'utf8');
    expect(completeUtf8Length(emoji.subarray(0, 3))).toBe(0);
    expect(completeUtf8Length(Buffer.alloc(0))).toBe(0);
    expect(completeUtf8Length(Buffer.from([0x80, 0x80]))).toBe(2);
  });

  it('re-assembles any text split at any byte into the same text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat(), { maxLength: 5 }), (text, cuts) => {
      const bytes = Buffer.from(text, 'utf8');
      const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
      let carry = Buffer.alloc(0);
      let out = '';
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        const all = Buffer.concat([carry, bytes.subarray(prev, p)]);
        const k = completeUtf8Length(all);
        out += all.subarray(0, k).toString('utf8');
        carry = all.subarray(k);
        prev = p;
      }
      expect(carry.length).toBe(0);
      expect(out).toBe(text);
    }));
  });
});
