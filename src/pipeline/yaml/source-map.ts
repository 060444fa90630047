// Answers "where was this key written?" for the merged configuration.
import type { SourcePosition } from '../errors.js';
import type { PositionIndex } from './position-index.js';

export interface SourceMap {
  /** Best known position: the node itself or its nearest ancestor. */
  positionOf(path: ReadonlyArray<string | number>): SourcePosition;
}

export function createSourceMap(root: unknown, index: PositionIndex, fallback: SourcePosition): SourceMap {
  return {
    positionOf(path) {
      // Follow the path as far as the data goes, then ask for positions from the deepest step
      // up: positions are computed lazily, so asking only what is needed keeps this cheap.
      const steps: Array<{ node: object; key: string | number }> = [];
      let node: unknown = root;
      for (const seg of path) {
        if (!isObject(node)) break;
        const key = Array.isArray(node) ? Number(seg) : String(seg);
        steps.push({ node, key });
        node = (node as Record<string | number, unknown>)[key];
      }
      if (steps.length === path.length && isObject(node) && steps.length === 0) return index.nodePos(node) ?? fallback;
      for (let i = steps.length - 1; i >= 0; i -= 1) {
        const step = steps[i] as { node: object; key: string | number };
        const pos = index.keyPos(step.node, step.key) ?? index.nodePos(step.node);
        if (pos) return pos;
      }
      return (isObject(root) && index.nodePos(root)) || fallback;
    },
  };
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
