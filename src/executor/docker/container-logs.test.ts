import { describe, it, expect } from 'vitest';
import { demuxLogBuffer } from './container-logs.js';

function frame(type: number, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('demuxLogBuffer', () => {
  it('joins stdout and stderr frames', () => {
    expect(demuxLogBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
  });
  it('passes raw (TTY) text through', () => {
    expect(demuxLogBuffer(Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});
