// Server-side expansion of a job's variable list before it is sent to the runner, as GitLab's
// Collection#sort_and_expand_all(keep_undefined: true, expand_file_refs: false,
// expand_raw_refs: false) does it:
// - variables are visited in dependency order (Ruby TSort over "references a key" edges; a
//   reference points at every variable with that key) and each value is expanded with the
//   values expanded before it, the last one with a key winning;
// - unknown references stay as written (the runner may know them, e.g. $CI_BUILDS_DIR);
// - references to file variables and to raw variables stay as written (the runner resolves
//   them: the file path, or the raw value without further expansion);
// - raw variables are not expanded; a self-reference (`A: $A`) is not a cycle;
// - a cycle of two or more variables is an error and the list is returned unexpanded:
//   `circular variable reference detected: ["A", "B"]` (Ruby's Array#inspect of the keys).
// The order of the returned list is the input order (only values change), which keeps
// "later entries win" intact.
import type { JobVariable } from '../spec/job-spec.js';
import { GITLAB_REFERENCE, mayReference, referencedNames } from './expand.js';

export interface ResolvedVariables {
  variables: JobVariable[];
  /** GitLab's message when references are circular; the variables are then left unexpanded. */
  error?: string;
}

/**
 * Variables of the same collection that take part in the expansion but are not returned: `before`
 * sits in front of the variables (e.g. job predefined ones), `after` behind them (e.g. project and
 * pipeline variables, which win over YAML ones).
 */
export interface ResolveContext {
  before?: readonly JobVariable[];
  after?: readonly JobVariable[];
}

const NO_VARIABLES: readonly JobVariable[] = [];
const NO_NAMES: readonly string[] = [];
const NO_CHILDREN: readonly number[] = [];
const SCAN_LIMIT = 64;

/** Graph for Tarjan's algorithm. */
export interface SccGraph {
  readonly size: number;
  children(i: number): readonly number[];
  /** A node without children (skips its bookkeeping). */
  isLeaf(i: number): boolean;
}

/**
 * "References a key" edges over one collection. References are parsed only for visited nodes:
 * the returned variables and what they reference (unreferenced context variables cost nothing).
 * A class rather than closures: this runs once per job.
 */
class VariableGraph implements SccGraph {
  readonly size: number;
  private readonly deps: Array<readonly string[] | null | undefined>;
  private byKey: Map<string, number[]> | undefined;

  constructor(readonly all: readonly JobVariable[]) {
    this.size = all.length;
    this.deps = new Array(all.length);
  }

  depsOf(i: number): readonly string[] | null {
    let d = this.deps[i];
    if (d === undefined) {
      const v = this.all[i]!;
      const names = v.raw || !mayReference(v.value) ? NO_NAMES : referencedNames(v.value);
      d = this.deps[i] = names.length > 0 ? names : null;
    }
    return d;
  }

  isLeaf(i: number): boolean {
    return this.depsOf(i) === null;
  }

  children(i: number): readonly number[] {
    const names = this.depsOf(i);
    if (names === null) return NO_CHILDREN;
    const out: number[] = [];
    if (this.size <= SCAN_LIMIT) {
      // A job's collection is a few dozen variables: scanning beats building a map per job.
      for (const name of names) for (let k = 0; k < this.size; k++) if (this.all[k]!.key === name) out.push(k);
      return out;
    }
    if (!this.byKey) {
      this.byKey = new Map();
      for (let k = 0; k < this.size; k++) {
        const key = this.all[k]!.key;
        const list = this.byKey.get(key);
        if (list) list.push(k); else this.byKey.set(key, [k]);
      }
    }
    for (const name of names) {
      const targets = this.byKey.get(name);
      if (targets) for (const t of targets) out.push(t);
    }
    return out;
  }
}

export function resolveVariables(vars: readonly JobVariable[], context: ResolveContext = {}): ResolvedVariables {
  const before = context.before ?? NO_VARIABLES;
  const after = context.after ?? NO_VARIABLES;
  const all = before.length === 0 && after.length === 0 ? vars : [...before, ...vars, ...after];
  const first = before.length;
  const end = first + vars.length;
  const graph = new VariableGraph(all);
  let any = false;
  for (let i = first; i < end; i++) if (!graph.isLeaf(i)) any = true;
  if (!any) return { variables: copiesOf(vars) };

  const { order, cycles } = stronglyConnected(graph, first, end);
  if (cycles.length > 0) {
    const parts = cycles.map((c) => `[${c.map((i) => JSON.stringify(all[i]!.key)).join(', ')}]`);
    return { variables: copiesOf(vars), error: `circular variable reference detected: ${parts.join(', ')}` };
  }

  // Expand in dependency order against what has been "appended" so far (key → index).
  const appended = new Map<string, number>();
  const values: string[] = new Array<string>(all.length);
  for (let i = 0; i < all.length; i++) values[i] = all[i]!.value;
  for (const i of order) {
    if (!graph.isLeaf(i)) {
      values[i] = all[i]!.value.replace(GITLAB_REFERENCE, (whole, a?: string, b?: string, c?: string) => {
        const name = a ?? b ?? c;
        const at = name === undefined ? undefined : appended.get(name);
        if (at === undefined) return whole;
        const target = all[at]!;
        return target.file || target.raw ? whole : values[at]!;
      });
    }
    appended.set(all[i]!.key, i);
  }
  return { variables: copiesOf(vars, values, first) };
}

/** New objects (callers may change them), with the expanded values when given. */
function copiesOf(vars: readonly JobVariable[], values?: readonly string[], first = 0): JobVariable[] {
  const out = new Array<JobVariable>(vars.length);
  for (let i = 0; i < vars.length; i++) out[i] = { ...vars[i]!, value: values ? values[first + i]! : vars[i]!.value };
  return out;
}

/**
 * Tarjan's algorithm, iterative, visiting nodes and children in order like Ruby's TSort:
 * `order` lists nodes children-first; `cycles` holds components of two or more nodes, members
 * in stack order. Roots are the nodes `rootsFrom` to `rootsTo` (default: all); only what they
 * reach is visited.
 */
export function stronglyConnected(graph: SccGraph, rootsFrom = 0, rootsTo = graph.size): { order: number[]; cycles: number[][] } {
  const n = graph.size;
  // Plain arrays: for the few dozen variables of a job they are cheaper to make than typed ones.
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const order: number[] = [];
  const cycles: number[][] = [];
  // The DFS path: node, its children and the next child to visit, as parallel arrays.
  const pathNodes: number[] = [];
  const pathKids: Array<readonly number[]> = [];
  const pathNext: number[] = [];
  let counter = 0;
  for (let root = rootsFrom; root < rootsTo; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    if (graph.isLeaf(root)) {
      // A node without children is its own component, finished at once.
      order.push(root);
      continue;
    }
    stack.push(root);
    onStack[root] = true;
    pathNodes.push(root);
    pathKids.push(graph.children(root));
    pathNext.push(0);
    while (pathNodes.length > 0) {
      const top = pathNodes.length - 1;
      const node = pathNodes[top]!;
      const kids = pathKids[top]!;
      const next = pathNext[top]!;
      if (next < kids.length) {
        pathNext[top] = next + 1;
        const kid = kids[next]!;
        if (index[kid] === -1) {
          index[kid] = low[kid] = counter++;
          if (graph.isLeaf(kid)) {
            order.push(kid);
          } else {
            stack.push(kid);
            onStack[kid] = true;
            pathNodes.push(kid);
            pathKids.push(graph.children(kid));
            pathNext.push(0);
          }
        } else if (onStack[kid]) {
          low[node] = Math.min(low[node]!, index[kid]!);
        }
        continue;
      }
      pathNodes.pop();
      pathKids.pop();
      pathNext.pop();
      if (top > 0) {
        const parent = pathNodes[top - 1]!;
        low[parent] = Math.min(low[parent]!, low[node]!);
      }
      if (low[node] === index[node]) {
        const at = stack.lastIndexOf(node);
        const component = stack.splice(at);
        for (const m of component) onStack[m] = false;
        if (component.length > 1) cycles.push(component);
        for (const m of component) order.push(m);
      }
    }
  }
  return { order, cycles };
}

/**
 * A job's variables as written in the YAML (JobVariable.yamlValue back in `value`): what the
 * expansion when the job is picked up starts from, so dotenv reports reach YAML references.
 */
export function variablesAsWritten(vars: readonly JobVariable[]): JobVariable[] {
  return vars.map(({ yamlValue, ...v }) => (yamlValue === undefined ? v : { ...v, value: yamlValue }));
}
