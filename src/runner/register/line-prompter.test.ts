import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LinePrompter } from './line-prompter.js';

describe('LinePrompter', () => {
  it('keeps answers that arrive before the question, shows [current], ends with undefined', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => { shown += c.toString(); });
    const p = new LinePrompter(input, output);
    input.end('  first \n\nthird\n');
    await new Promise((r) => setTimeout(r, 10));
    const signal = new AbortController().signal;
    expect(await p.ask('Q1?', '', signal)).toBe('first');
    expect(await p.ask('Q2?', 'kept', signal)).toBe('');
    expect(await p.ask('Q3?', '', signal)).toBe('third');
    expect(await p.ask('Q4?', '', signal)).toBeUndefined();
    expect(shown).toBe('Q1?\nQ2?\n[kept]: Q3?\nQ4?\n');
    p.close();
  });

  it('an abort (Ctrl-C) while waiting rejects instead of hanging', async () => {
    const p = new LinePrompter(new PassThrough(), new PassThrough());
    const controller = new AbortController();
    const pending = p.ask('Q?', '', controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(pending).rejects.toThrow('interrupted');
    p.close();
  });
});
