import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PSYCH_SCHEMA } from './psych-schema.js';
import { ReferenceTag } from './reference-tag.js';

const read = (scalar: string): unknown => (jsyaml.load(`v: ${scalar}\n`, { schema: PSYCH_SCHEMA }) as { v: unknown }).v;

describe('PSYCH_SCHEMA plain scalars (as Ruby Psych reads them)', () => {
  it.each([
    ['yes', true], ['On', true], ['TRUE', true], ['no', false], ['off', false], ['False', false],
    ['y', 'y'], ['n', 'n'], ['yes please', 'yes please'],
    ['~', null], ['null', null], ['NULL', null], ['nil', 'nil'],
    ['42', 42], ['+12', 12], ['-7', -7], ['1_000', 1000], ['1,000', 1000], ['012', 10], ['0b101', 5], ['0x1F', 31],
    ['08', '08'], ['1:30', 90], ['1.5', 1.5], ['-2.', -2], ['.5', 0.5], ['1.0e+3', 1000], ['1e3', '1e3'],
    ['.inf', Infinity], ['-.inf', -Infinity], ['.', '.'],
    ['2001-12-14', '2001-12-14'], ['v1.2.3', 'v1.2.3'], ['echo $HOME', 'echo $HOME'], ['"yes"', 'yes'], ["'012'", '012'],
  ])('%s → %o', (scalar, expected) => {
    expect(read(scalar)).toEqual(expected);
  });

  it('reads .nan as NaN', () => {
    expect(Number.isNaN(read('.nan'))).toBe(true);
  });

  it('builds !reference tags for sequences, and invalid ones for scalars and maps', () => {
    const doc = jsyaml.load('a: !reference [x, y]\nb: !reference x\nc: !reference {k: v}\n', { schema: PSYCH_SCHEMA }) as Record<string, ReferenceTag>;
    expect(doc['a']?.location).toEqual(['x', 'y']);
    expect(doc['b']).toBeInstanceOf(ReferenceTag);
    expect(doc['b']?.location).toBeUndefined();
    expect(doc['c']?.location).toBeUndefined();
  });
});
