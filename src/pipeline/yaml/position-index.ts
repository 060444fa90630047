// Where every mapping, sequence and key of the loaded configuration came from.
// Positions live beside the data (keyed by object identity) so merges carry them along without
// copying. It is cheap to build because it is built for every container of every file:
// a parsed container only remembers its parent and key (lines come later from LazyFile), and a
// merged mapping remembers the mappings it came from instead of copying their key positions.
import type { SourcePosition } from '../errors.js';

export type Key = string | number;

/** Finds the position of a key path in one parsed file (LazyFile). */
export interface PositionSource {
  lookup(doc: number, path: readonly Key[]): SourcePosition | undefined;
}

/** A known position, or "same as key `key` of `node`" (for renamed keys). */
type KeyPos = SourcePosition | { node: object; key: Key };

interface Origin {
  file: PositionSource;
  doc: number;
  parent: object | undefined;
  key: Key | undefined;
}

interface NodeInfo {
  pos?: SourcePosition;
  origin?: Origin;
  keys?: Map<Key, KeyPos>;
  /** Mappings this one was made from, lowest priority first. */
  from?: object[];
}

const MAX_HOPS = 64;

export class PositionIndex {
  private readonly nodes = new WeakMap<object, NodeInfo>();

  private info(node: object): NodeInfo {
    let info = this.nodes.get(node);
    if (!info) {
      info = {};
      this.nodes.set(node, info);
    }
    return info;
  }

  /** A container read from `file`: its place is key `key` of `parent` (undefined for a document root). */
  setOrigin(node: object, file: PositionSource, doc: number, parent: object | undefined, key: Key | undefined): void {
    if (!this.nodes.has(node)) this.nodes.set(node, { origin: { file, doc, parent, key } });
  }

  /** Records where a container (or a !reference tag) starts. */
  setNode(node: object, pos: SourcePosition): void {
    this.info(node).pos = pos;
  }

  /** Records where `key` of `node` is written. */
  setKey(node: object, key: Key, pos: SourcePosition): void {
    (this.info(node).keys ??= new Map()).set(key, pos);
  }

  /** Key `key` of `node` is written where key `fromKey` of `from` is (interpolated keys). */
  setKeyFrom(node: object, key: Key, from: object, fromKey: Key): void {
    (this.info(node).keys ??= new Map()).set(key, { node: from, key: fromKey });
  }

  /** `node` was made from `sources` (later ones win): what it does not record itself is found there. */
  derive(node: object, sources: object[]): void {
    const info = this.info(node);
    info.from = sources;
  }

  /** Same positions for `to` as `from` has (for copies). */
  copy(from: object, to: object): void {
    this.derive(to, [from]);
  }

  nodePos(node: object): SourcePosition | undefined {
    return this.findNode(node, 0);
  }

  keyPos(node: object, key: Key): SourcePosition | undefined {
    return this.findKey(node, key, 0);
  }

  /** Position of `key` in `node`, else of the node, else undefined. */
  best(node: object, key: Key): SourcePosition | undefined {
    return this.keyPos(node, key) ?? this.nodePos(node);
  }

  private findNode(node: object, hops: number): SourcePosition | undefined {
    const info = this.nodes.get(node);
    if (!info || hops > MAX_HOPS) return undefined;
    if (info.pos) return info.pos;
    if (info.origin) {
      const path = this.originPath(node);
      if (path) return info.origin.file.lookup(info.origin.doc, path.path);
    }
    const from = info.from ?? [];
    for (let i = from.length - 1; i >= 0; i -= 1) {
      const pos = this.findNode(from[i] as object, hops + 1);
      if (pos) return pos;
    }
    return undefined;
  }

  private findKey(node: object, key: Key, hops: number): SourcePosition | undefined {
    const info = this.nodes.get(node);
    if (!info || hops > MAX_HOPS) return undefined;
    const own = info.keys?.get(key);
    if (own) return 'line' in own ? own : this.findKey(own.node, own.key, hops + 1);
    if (info.origin) {
      const found = this.originPath(node);
      const pos = found ? found.file.lookup(found.doc, [...found.path, key]) : undefined;
      if (pos) return pos;
    }
    const from = info.from;
    if (from) {
      for (let i = from.length - 1; i >= 0; i -= 1) {
        const source = from[i] as object;
        if (Object.prototype.hasOwnProperty.call(source, key)) return this.findKey(source, key, hops + 1);
      }
    }
    return undefined;
  }

  private originPath(node: object): { file: PositionSource; doc: number; path: Key[] } | undefined {
    const path: Key[] = [];
    let current: object | undefined = node;
    let origin: Origin | undefined;
    for (let hops = 0; current && hops < 200; hops += 1) {
      origin = this.nodes.get(current)?.origin;
      if (!origin) return undefined;
      if (origin.parent === undefined) return { file: origin.file, doc: origin.doc, path: path.reverse() };
      path.push(origin.key as Key);
      current = origin.parent;
    }
    return undefined;
  }
}
