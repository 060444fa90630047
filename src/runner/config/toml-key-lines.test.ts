import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { BIG_CONFIG } from '../../../test/unit/runner-config/big-config.js';
import { indexTomlKeyLines } from './toml-key-lines.js';

/** Every key path in parsed TOML data, with the key's own name. */
function keyPaths(node: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(node)) return node.flatMap((v, i) => keyPaths(v, [...path, i]));
  if (typeof node === 'object' && node !== null && !(node instanceof Date)) {
    return Object.entries(node).flatMap(([k, v]) => [[...path, k], ...keyPaths(v, [...path, k])]);
  }
  return [];
}

describe('indexTomlKeyLines', () => {
  it('gives [[a]] elements their index and resolves [a.b] / [[a.b.c]] to the last element', () => {
    const text = [
      'concurrent = 2', // 1
      '[[runners]]', // 2
      '  name = "a"', // 3
      '[[runners]]', // 4
      '  name = "b"', // 5
      '  [runners.docker]', // 6
      '    privileged = true', // 7
      '    [[runners.docker.services]]', // 8
      '      name = "s0"', // 9
      '    [[runners.docker.services]]', // 10
      '      name = "s1"', // 11
    ].join('\n');
    const idx = indexTomlKeyLines(text);
    expect(idx.lineOf(['concurrent'])).toBe(1);
    expect(idx.lineOf(['runners', 0, 'name'])).toBe(3);
    expect(idx.lineOf(['runners', 1])).toBe(4);
    expect(idx.lineOf(['runners', 1, 'name'])).toBe(5);
    expect(idx.lineOf(['runners', 1, 'docker'])).toBe(6);
    expect(idx.lineOf(['runners', 1, 'docker', 'privileged'])).toBe(7);
    expect(idx.lineOf(['runners', 1, 'docker', 'services', 1, 'name'])).toBe(11);
    expect(idx.lineOf(['runners', 1, 'docker', 'services', 0])).toBe(8);
    expect(idx.headers.map((h) => [h.line, h.isArrayTable, h.path])).toEqual([
      [2, true, ['runners', 0]],
      [4, true, ['runners', 1]],
      [6, false, ['runners', 1, 'docker']],
      [8, true, ['runners', 1, 'docker', 'services', 0]],
      [10, true, ['runners', 1, 'docker', 'services', 1]],
    ]);
  });

  it('falls back to the nearest recorded ancestor for keys that are not in the text', () => {
    const idx = indexTomlKeyLines('[[runners]]\n  [runners.docker]\n    image = "x"\n');
    expect(idx.lineOf(['runners', 0, 'docker', 'services', 0, 'name'])).toBe(2);
    expect(idx.lineOf(['runners', 0, 'executor'])).toBe(1);
    expect(idx.lineOf(['nothing'])).toBeUndefined();
  });

  it('is not fooled by brackets, = and # inside strings, multi-line strings or comments', () => {
    const text = [
      'a = "[[runners]] # not a header"', // 1
      "b = 'x = 1 [y]'", // 2
      'c = """', // 3
      '[[runners]]', // 4
      'd = 2 \\""" still inside', // 5
      '"""', // 6
      "e = '''", // 7
      '[x]', // 8
      "'''", // 9
      '# [[runners]] comment', // 10
      'f = 1 # [g]', // 11
      '[[runners]]', // 12
      '  name = "r"', // 13
    ].join('\n');
    expect(() => parse(text)).not.toThrow();
    const idx = indexTomlKeyLines(text);
    expect(idx.lineOf(['f'])).toBe(11);
    expect(idx.lineOf(['runners', 0, 'name'])).toBe(13);
    expect(idx.headers).toHaveLength(1);
    expect(idx.lineOf(['d'])).toBeUndefined();
  });

  it('records array elements across lines and keys of inline tables', () => {
    const text = [
      'volumes = [', // 1
      '  "/cache", # first', // 2
      '  "/certs/client",', // 3
      '  [1, 2],', // 4
      ']', // 5
      'opts = { size = "1g", nested = { deep = true } }', // 6
      'list = [{ name = "a" },', // 7
      '  { name = "b" }]', // 8
    ].join('\n');
    expect(() => parse(text)).not.toThrow();
    const idx = indexTomlKeyLines(text);
    expect(idx.lineOf(['volumes', 0])).toBe(2);
    expect(idx.lineOf(['volumes', 1])).toBe(3);
    expect(idx.lineOf(['volumes', 2, 1])).toBe(4);
    expect(idx.lineOf(['opts', 'nested', 'deep'])).toBe(6);
    expect(idx.lineOf(['list', 1, 'name'])).toBe(8);
  });

  it('handles dotted and quoted keys, CRLF line ends and a byte-order mark', () => {
    const text = '\uFEFF[runners_like]\r\n  a.b = 1\r\n  "net.ipv4.ip_forward" = "1"\r\n  \'lit.key\' = 2\r\n';
    expect(() => parse(text)).not.toThrow();
    const idx = indexTomlKeyLines(text);
    expect(idx.lineOf(['runners_like', 'a', 'b'])).toBe(2);
    expect(idx.lineOf(['runners_like', 'net.ipv4.ip_forward'])).toBe(3);
    expect(idx.lineOf(['runners_like', 'lit.key'])).toBe(4);
  });

  it('reads dates with a space and escaped quotes without losing the line count', () => {
    const text = 'd = 1979-05-27 07:32:00Z\ns = "say \\"hi\\""\n[t]\nk = 1\n';
    expect(() => parse(text)).not.toThrow();
    expect(indexTomlKeyLines(text).lineOf(['t', 'k'])).toBe(4);
  });

  it('puts every key of a large real-world file on a line that names it', () => {
    const idx = indexTomlKeyLines(BIG_CONFIG);
    const lines = BIG_CONFIG.split('\n');
    const paths = keyPaths(parse(BIG_CONFIG));
    expect(paths.length).toBeGreaterThan(150);
    for (const path of paths) {
      const key = String(path[path.length - 1]);
      const line = idx.lineOf(path);
      expect({ path, text: lines[(line ?? 0) - 1] }).toEqual({ path, text: expect.stringContaining(key) });
    }
  });
});
