// Variable lookups for the compiler: layered maps (later layers win) built once per pipeline and
// per job, so evaluating rules for 2,000 jobs never copies the global variables per job.
import type { JobVariable } from '../spec/job-spec.js';
import type { InheritConfig, VariableConfig } from '../model/pipeline-config.js';

export type Lookup = (name: string) => string | undefined;

/** A lookup over maps, the last map that has the name wins. */
export function layeredLookup(layers: ReadonlyArray<ReadonlyMap<string, string>>): Lookup {
  return (name) => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const value = layers[i]!.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

export function toMap(vars: ReadonlyArray<{ key: string; value: string }>): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of vars) map.set(v.key, v.value);
  return map;
}

/** The global variables a job inherits (`inherit:variables`). */
export function inheritedGlobals(globals: readonly VariableConfig[], inherit: InheritConfig): readonly VariableConfig[] {
  if (inherit.variables === true) return globals;
  if (inherit.variables === false) return [];
  const names = new Set(inherit.variables);
  return globals.filter((v) => names.has(v.key));
}

export function yamlVariable(key: string, value: string, raw = false): JobVariable {
  return { key, value, public: true, masked: false, file: false, raw };
}
