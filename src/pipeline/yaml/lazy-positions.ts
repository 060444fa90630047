// Line and column of a key path inside one YAML file, computed only when asked. The fast parser
// gives no positions; the first question about a file parses it once more with the `yaml`
// package (which keeps a node tree with offsets) and walks the path there. Valid configurations
// never pay for this; a lint with errors pays one extra parse per file that has errors.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourcePosition } from '../errors.js';
import type { Key, PositionSource } from './position-index.js';

export class LazyFile implements PositionSource {
  private docs: Document[] | undefined;
  private lines: LineCounter | undefined;
  private readonly keyTables = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  /** Position of the node at `path` in document `doc` (the key itself when `path` ends on a mapping key). */
  lookup(doc: number, path: readonly Key[]): SourcePosition | undefined {
    const docs = this.parse();
    const document = docs[doc];
    if (!document) return undefined;
    let node: Node | null | undefined = document.contents as Node | null;
    let at: { range?: readonly number[] | null } | null | undefined = node;
    for (const key of path) {
      node = this.resolve(node, document);
      if (isMap(node)) {
        const pair = this.findPair(node, String(key), document, 0);
        if (!pair) return undefined;
        at = (pair.key as Node | null) ?? (pair.value as Node | null);
        node = pair.value as Node | null;
      } else if (isSeq(node)) {
        const item = node.items[Number(key)] as Node | undefined;
        if (!item) return undefined;
        at = item;
        node = item;
      } else {
        return undefined;
      }
    }
    return this.position(at);
  }

  private parse(): Document[] {
    if (!this.docs) {
      this.lines = new LineCounter();
      try {
        this.docs = parseAllDocuments(this.text, { lineCounter: this.lines, version: '1.1', merge: false, uniqueKeys: false }) as Document[];
      } catch {
        this.docs = [];
      }
      if (!Array.isArray(this.docs)) this.docs = [];
    }
    return this.docs;
  }

  private position(node: { range?: readonly number[] | null } | null | undefined): SourcePosition | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined || !this.lines) return undefined;
    const lp = this.lines.linePos(offset);
    return { file: this.file, line: lp.line, column: lp.col };
  }

  private resolve(node: Node | null | undefined, document: Document): Node | null | undefined {
    return isAlias(node) ? (node.resolve(document) as Node | undefined) : node;
  }

  /** The last pair with this key (later duplicates win), else one brought in by `<<`. */
  private findPair(map: YAMLMap, key: string, document: Document, depth: number): Pair | undefined {
    let table = this.keyTables.get(map);
    if (!table) {
      table = new Map();
      for (const item of map.items) {
        const pair = item as Pair;
        const k = pair.key as Node | null;
        if (isScalar(k)) {
          table.set(String(k.value), pair);
          if (k.source !== undefined) table.set(k.source, pair);
        }
      }
      this.keyTables.set(map, table);
    }
    const own = table.get(key);
    if (own || depth > 10) return own;
    const merge = table.get('<<');
    const sources = merge ? this.resolve(merge.value as Node | null, document) : undefined;
    const list = isSeq(sources) ? sources.items.map((i) => this.resolve(i as Node, document)) : [sources];
    for (const source of list) {
      if (isMap(source)) {
        const found = this.findPair(source, key, document, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}
