// Source positions computed on first read. Positions need a second parse of the file (the fast
// YAML parser gives none), which a valid configuration must not pay for once per job — or at all,
// unless someone reads them. Own getters, so JSON and structuredClone see plain fields.
import type { SourcePosition } from '../errors.js';

/** Calls `find` once, on first use, then lets go of it (and of the source map it holds). */
function once(find: () => SourcePosition): () => SourcePosition {
  let pending: (() => SourcePosition) | undefined = find;
  let pos: SourcePosition | undefined;
  return () => {
    if (pos === undefined) {
      pos = pending!();
      pending = undefined;
    }
    return pos;
  };
}

/** A job's `source`: file and line. */
export function lazySource(find: () => SourcePosition): { readonly file: string; readonly line: number } {
  const get = once(find);
  return {
    get file() { return get().file; },
    get line() { return get().line; },
  };
}

/** File, line and column. */
export function lazyPosition(find: () => SourcePosition): SourcePosition {
  const get = once(find);
  return {
    get file() { return get().file; },
    get line() { return get().line; },
    get column() { return get().column; },
  };
}
