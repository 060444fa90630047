// Runner-side expansion ($VAR, ${VAR}) of cache keys and artifact names/paths with a job's variables.
import { expandRunner } from '../pipeline/variables/expand.js';

export function expandWith(vars: ReadonlyMap<string, string>): (text: string) => string {
  return (text) => expandRunner(text, (name) => vars.get(name));
}
