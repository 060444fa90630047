import { describe, it, expect } from 'vitest';
import type { JobVariable } from '../spec/job-spec.js';
import { resolveVariables } from './resolve-variables.js';

const v = (key: string, value: string, extra: Partial<JobVariable> = {}): JobVariable => ({
  key, value, public: true, masked: false, file: false, raw: false, ...extra,
});
const values = (vars: JobVariable[]): Record<string, string> => Object.fromEntries(vars.map((x) => [x.key, x.value]));

describe('resolveVariables', () => {
  it('expands nested references in dependency order', () => {
    const r = resolveVariables([v('A', '$B'), v('B', '${C}/x'), v('C', '1')]);
    expect(r.error).toBeUndefined();
    expect(values(r.variables)).toEqual({ A: '1/x', B: '1/x', C: '1' });
  });
  it('keeps the input order', () => {
    const r = resolveVariables([v('A', '$B'), v('B', 'b')]);
    expect(r.variables.map((x) => x.key)).toEqual(['A', 'B']);
  });
  it('keeps unknown references', () => {
    expect(values(resolveVariables([v('A', '$CI_BUILDS_DIR/x')]).variables)).toEqual({ A: '$CI_BUILDS_DIR/x' });
  });
  it('leaves $$ and %% alone', () => {
    expect(values(resolveVariables([v('A', '$$B %%B%%'), v('B', 'b')]).variables).A).toBe('$$B %%B%%');
  });
  it('expands %VAR% and ${VAR}', () => {
    expect(values(resolveVariables([v('A', '%B%-${B}'), v('B', 'b')]).variables).A).toBe('b-b');
  });
  it('does not inline file variables', () => {
    const r = resolveVariables([v('CERT', 'secret', { file: true }), v('A', 'path=$CERT')]);
    expect(values(r.variables).A).toBe('path=$CERT');
  });
  it('expands references inside a file variable', () => {
    const r = resolveVariables([v('B', 'b'), v('CFG', 'x=$B', { file: true })]);
    expect(values(r.variables).CFG).toBe('x=b');
  });
  it('neither expands nor inlines raw variables', () => {
    const r = resolveVariables([v('A', 'normal'), v('B', 'raw-$A', { raw: true }), v('C', '$B')]);
    expect(values(r.variables)).toEqual({ A: 'normal', B: 'raw-$A', C: '$B' });
  });
  it('uses the last variable with a key', () => {
    const r = resolveVariables([v('A', 'low'), v('C', '$A'), v('A', 'high')]);
    expect(r.variables.map((x) => x.value)).toEqual(['low', 'high', 'high']);
  });
  it('expands an overriding variable with the earlier one when it references its own key', () => {
    const r = resolveVariables([v('PATH', '/bin'), v('PATH', '/opt:$PATH')]);
    expect(r.error).toBeUndefined(); // a one-node component with a self-edge is no cycle
    expect(r.variables.map((x) => x.value)).toEqual(['/bin', '/opt:/bin']);
  });
  it('treats a lone self-reference as unknown, not a cycle', () => {
    const r = resolveVariables([v('A', 'x$A')]);
    expect(r.error).toBeUndefined();
    expect(values(r.variables).A).toBe('x$A');
  });
  it('reports a cycle of two with GitLab wording', () => {
    const r = resolveVariables([v('A', '$B'), v('B', '$A')]);
    expect(r.error).toBe('circular variable reference detected: ["A", "B"]');
    expect(values(r.variables)).toEqual({ A: '$B', B: '$A' });
  });
  it('reports a cycle through three variables', () => {
    const r = resolveVariables([v('X', 'ok'), v('A', '$B'), v('B', '$C'), v('C', '${A}')]);
    expect(r.error).toBe('circular variable reference detected: ["A", "B", "C"]');
  });
  it('reports several cycles', () => {
    const r = resolveVariables([v('A', '$B'), v('B', '$A'), v('C', '$D'), v('D', '$C')]);
    expect(r.error).toBe('circular variable reference detected: ["A", "B"], ["C", "D"]');
  });
  it('returns copies, never the input objects', () => {
    const input = [v('A', 'a')];
    const r = resolveVariables(input);
    expect(r.variables[0]).not.toBe(input[0]);
    expect(r.variables[0]).toEqual(input[0]);
  });
  it('handles long chains without recursion limits', () => {
    const vars = Array.from({ length: 20_000 }, (_, i) => v(`V${i}`, i === 19_999 ? 'end' : `$V${i + 1}`));
    const r = resolveVariables(vars);
    expect(r.variables[0]!.value).toBe('end');
  });
  it('expands with context variables before and after without returning them', () => {
    const r = resolveVariables([v('A', '$PRE/$POST/$FILE/$RAW/$UNKNOWN'), v('POST', 'yaml')], {
      before: [v('PRE', 'p')],
      after: [v('POST', 'pipeline'), v('FILE', 'f', { file: true }), v('RAW', 'r$PRE', { raw: true })],
    });
    expect(r.variables.map((x) => `${x.key}=${x.value}`)).toEqual(['A=p/pipeline/$FILE/$RAW/$UNKNOWN', 'POST=yaml']);
  });
  it('reports a cycle through a context variable', () => {
    const r = resolveVariables([v('A', '$B')], { after: [v('B', '$A')] });
    expect(r.error).toBe('circular variable reference detected: ["A", "B"]');
    expect(values(r.variables)).toEqual({ A: '$B' });
  });
});
